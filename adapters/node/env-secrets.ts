import type { SecretProvider } from "../../src/secrets.js";

/**
 * Secrets from environment variables (read when a task asks, so a variable set later is seen).
 * A missing one is reported as "set the environment variable NAME".
 *
 * @example
 * const engine = new Engine({ secrets: envSecrets(process.env) });
 */
export function envSecrets(env: Readonly<Record<string, string | undefined>> = process.env): SecretProvider {
  return {
    get: (name) => env[name],
    hint: (name) => `set the environment variable ${name}`,
  };
}
