import { StoreError } from "../../src/errors.js";

/**
 * A store needs a package that is not installed. flux-ts declares its database drivers
 * (`better-sqlite3`, `sql.js`) as optional peer dependencies, so that a browser or Worker install
 * pulls neither; the store that needs one asks for it by name. A `StoreError`, so code that
 * handles store failures handles this one too.
 *
 * @example
 * // MissingDependencyError: flux-ts's SQLite store (the Node default) needs the package
 * // better-sqlite3, which is not installed: npm install better-sqlite3, or ...
 */
export class MissingDependencyError extends StoreError {
  override readonly code: string = "MISSING_DEPENDENCY";
  override name = "MissingDependencyError";
  /** The npm package to install. */
  readonly dependency: string;

  /** `what` (e.g. "flux-ts's SQLite store") needs `dependency`, which could not be loaded; `otherwise` is the other fix, if any. */
  constructor(what: string, dependency: string, options?: { cause?: unknown; otherwise?: string }) {
    const otherwise = options?.otherwise === undefined ? "" : `, or ${options.otherwise}`;
    super(`${what} needs the package ${dependency}, which is not installed: npm install ${dependency}${otherwise}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.dependency = dependency;
  }
}

/** True when `error` says that the package `name` itself (not one of its files or dependencies) was not found. */
export function isMissingPackage(error: unknown, name: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== "MODULE_NOT_FOUND" && code !== "ERR_MODULE_NOT_FOUND") return false;
  const message = error instanceof Error ? error.message : String(error);
  return message.includes(`'${name}'`) || message.includes(`"${name}"`);
}
