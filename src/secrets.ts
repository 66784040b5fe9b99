/**
 * Where tasks' secrets come from: environment variables in Node, env bindings in a Worker,
 * a map in a browser. Secret values are handed to the task body only: they never enter an
 * event, an error message or the store (the engine redacts them from what a task records).
 */
export interface SecretProvider {
  /** The value of the secret `name`, or `undefined` when there is none. */
  get(name: string): string | undefined | Promise<string | undefined>;
  /** Says where a missing secret should be set, for the error message (e.g. "set the environment variable X"). */
  hint?(name: string): string;
}

/**
 * A provider that reads a plain record (a Worker's `env`, a map in the page, Node's environment).
 *
 * @example
 * const engine = new Engine({ secrets: secretsFrom({ API_KEY: "..." }) });
 */
export function secretsFrom(values: Readonly<Record<string, string | undefined>>, where = "the secrets given to the engine"): SecretProvider {
  return {
    get: (name) => (Object.hasOwn(values, name) ? values[name] : undefined),
    hint: (name) => `add ${name} to ${where}`,
  };
}

/** The provider of an engine given none: it has no secrets. */
export const noSecrets: SecretProvider = {
  get: () => undefined,
  hint: (name) => `give the engine a SecretProvider that has ${name}`,
};
