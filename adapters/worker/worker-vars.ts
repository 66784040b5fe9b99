import type { SecretProvider } from "../../src/secrets.js";

/**
 * The Worker's string vars and secrets as a {@link SecretProvider}: every string var of `env`
 * is offered to tasks as a secret; a missing one is named with how to add it.
 */
export function workerSecrets(env: object): SecretProvider {
  const vars = env as Readonly<Record<string, unknown>>;
  return {
    get: (name) => {
      const value = vars[name];
      return typeof value === "string" ? value : undefined;
    },
    hint: (name) => `add ${name} to the Worker: wrangler secret put ${name} (or a line ${name}=... in .dev.vars locally)`,
  };
}

/** A var holding a number ≥ 0 (wrangler vars are strings), or `fallback` when it is absent or not one. */
export function numberVar(value: unknown, fallback: number): number {
  const number = typeof value === "string" && value.trim() !== "" ? Number(value) : Number.NaN;
  return Number.isFinite(number) && number >= 0 ? number : fallback;
}

/** The API token (`FLUX_API_TOKEN`) when one is set. */
export function tokenVar(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
