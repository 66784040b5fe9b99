import { existsSync } from "node:fs";
import { defaultEngine } from "../../src/default-engine.js";
import type { Engine } from "../../src/engine.js";
import { defaultSqlitePath } from "../sqlite/index.js";

/**
 * The default engine, for commands that only read (inspect, list): `undefined` when there is
 * no database yet, so that reading never creates `.flux/flux.db`.
 */
export function existingEngine(): Engine | undefined {
  return existsSync(defaultSqlitePath()) ? defaultEngine() : undefined;
}
