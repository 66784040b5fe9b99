import { Engine, type EngineOptions } from "../../src/engine.js";
import { SqliteStore } from "../sqlite/index.js";
import { envSecrets } from "./env-secrets.js";

/**
 * The engine Node uses by default: the SQLite store at `.flux/flux.db` under the current
 * directory (created on first use; needs better-sqlite3 unless `options.store` is given) and
 * secrets from environment variables. `options` override any part.
 *
 * @example
 * const engine = createNodeEngine({ holdSleepsUpTo: 60_000 });
 */
export function createNodeEngine(options: EngineOptions = {}): Engine {
  return new Engine({ secrets: envSecrets(), ...options, store: options.store ?? new SqliteStore() });
}
