/**
 * The package's Node entry (export condition "node" of `flux-ts`): everything of the core, with
 * the default engine made on first use as SQLite at `.flux/flux.db` under the current directory
 * and secrets from environment variables.
 *
 * @example
 * import { workflow } from "flux-ts";
 * const ctx = await helloWorld.run("World"); // recorded in .flux/flux.db
 */
import { setDefaultEngine } from "../../src/default-engine.js";
import { createNodeEngine } from "./default-node-engine.js";

export * from "../../src/index.js";
export { envSecrets } from "./env-secrets.js";
export { createNodeEngine } from "./default-node-engine.js";

setDefaultEngine(() => createNodeEngine());
