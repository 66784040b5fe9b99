import { createRequire } from "node:module";
import { isMissingPackage, MissingDependencyError } from "../sql/missing-dependency-error.js";
import type { PgModuleLike } from "./pg-like.js";

// pg is an optional peer dependency (only a Node deployment on PostgreSQL needs it). It is
// CommonJS, loaded on first use, synchronously, so that `new PostgresStore(url)` stays a plain
// constructor (createNodeEngine is synchronous) and importing flux-ts never needs it.
const require = createRequire(import.meta.url);
let loaded: PgModuleLike | undefined;

/**
 * The `pg` module. Throws `MissingDependencyError` ("npm install pg") when it is not installed
 * where flux-ts is.
 */
export function loadPg(): PgModuleLike {
  if (loaded !== undefined) return loaded;
  try {
    loaded = require("pg") as PgModuleLike;
  } catch (error) {
    if (isMissingPackage(error, "pg")) {
      throw new MissingDependencyError("flux-ts's PostgreSQL store", "pg", {
        cause: error,
        otherwise: "use the SQLite store (leave out --store / FLUX_STORE_URL)",
      });
    }
    throw error;
  }
  return loaded;
}
