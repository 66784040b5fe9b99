import { existsSync } from "node:fs";
import { setDefaultEngine } from "../../src/default-engine.js";
import type { Engine, EngineOptions } from "../../src/engine.js";
import { createNodeEngine } from "./default-node-engine.js";
import { nodeOutputStorage, openNodeStore, sqlitePathOf, type StoreUrl } from "./node-store.js";

/**
 * The engine of a command on the store `url` (see `StoreUrl`), made the default engine too (a
 * workflow file's `workflow.run()` then records where the command does).
 */
export function commandEngine(url: StoreUrl, options: EngineOptions = {}): Engine {
  const outputStorage = options.outputStorage ?? nodeOutputStorage(url);
  const engine = createNodeEngine({ ...options, store: openNodeStore(url), ...(outputStorage === undefined ? {} : { outputStorage }) });
  setDefaultEngine(engine);
  return engine;
}

/**
 * The engine for commands that only read (inspect, list, send, cancel): `undefined` when the
 * store is a SQLite file that does not exist yet, so that reading never creates one.
 */
export function existingEngine(url: StoreUrl): Engine | undefined {
  const path = sqlitePathOf(url);
  return path !== undefined && !existsSync(path) ? undefined : commandEngine(url);
}
