import { Engine, type EngineOptions } from "../../src/engine.js";
import { UsageError } from "../../src/errors.js";
import { envSecrets } from "./env-secrets.js";
import { nodeOutputStorage, openNodeStore, storeUrlOf } from "./node-store.js";

/**
 * The engine Node uses by default: the store of `options.store`, else the one the environment
 * variable `FLUX_STORE_URL` names (`postgres://…` for PostgreSQL, shared by a fleet of runners:
 * needs `pg`; `sqlite:PATH` for a SQLite file), else the SQLite store at `.flux/flux.db` under
 * the current directory (created on first use; needs better-sqlite3), with values over 256 KiB
 * kept in a `FileBlobStore` beside the SQLite file (`.flux/blobs`: see `EngineOptions.outputStorage`;
 * none by default on PostgreSQL), and secrets from environment variables. The environment variable `FLUX_LEASE_TTL_MS` sets how long
 * a runner's lease lasts without renewal (default 30000): how soon another process may recover
 * an execution whose process died; `FLUX_RUNNER_ID` names this runner in the leases it takes
 * (default: a random id), so that a fleet's executions show which runner holds them. `options`
 * override any part.
 *
 * @example
 * const engine = createNodeEngine({ holdSleepsUpTo: 60_000 });
 * // a runner of a fleet on one PostgreSQL database (or set FLUX_STORE_URL):
 * const shared = createNodeEngine({ store: new PostgresStore("postgres://flux@db.internal/flux") });
 */
export function createNodeEngine(options: EngineOptions = {}): Engine {
  const ttl = leaseTtlFromEnv();
  const runnerId = globalThis.process?.env["FLUX_RUNNER_ID"];
  const url = storeUrlOf(undefined, globalThis.process?.env ?? {});
  const outputStorage = options.outputStorage ?? (options.store === undefined ? nodeOutputStorage(url) : undefined);
  return new Engine({
    secrets: envSecrets(), ...(ttl === undefined ? {} : { leaseTtl: ttl }), ...(runnerId ? { runnerId } : {}), ...options,
    store: options.store ?? openNodeStore(url),
    ...(outputStorage === undefined ? {} : { outputStorage }),
  });
}

function leaseTtlFromEnv(): number | undefined {
  const text = globalThis.process?.env["FLUX_LEASE_TTL_MS"];
  if (text === undefined || text === "") return undefined;
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms < 10) throw new UsageError(`FLUX_LEASE_TTL_MS must be a whole number of milliseconds ≥ 10, not ${JSON.stringify(text)}`);
  return ms;
}
