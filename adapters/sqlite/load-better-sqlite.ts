import { createRequire } from "node:module";
import { isMissingPackage, MissingDependencyError } from "../sql/missing-dependency-error.js";
import type { BetterSqliteConstructor } from "./better-sqlite-like.js";

// better-sqlite3 is an optional peer dependency (a native build that browser and Worker users
// should not install). It is loaded on first use, synchronously (it is CommonJS), so that
// importing flux-ts in Node does not need it until a SQLite store is opened.
const require = createRequire(import.meta.url);
let loaded: BetterSqliteConstructor | undefined;

/**
 * better-sqlite3's `Database` class. Throws `MissingDependencyError` ("npm install better-sqlite3")
 * when the package is not installed where flux-ts is.
 */
export function loadBetterSqlite(): BetterSqliteConstructor {
  if (loaded !== undefined) return loaded;
  try {
    loaded = require("better-sqlite3") as BetterSqliteConstructor;
  } catch (error) {
    if (isMissingPackage(error, "better-sqlite3")) {
      throw new MissingDependencyError("flux-ts's SQLite store (the Node default)", "better-sqlite3", {
        cause: error,
        otherwise: "give the engine another store (new Engine({ store: new MemoryStore() }))",
      });
    }
    throw error;
  }
  return loaded;
}
