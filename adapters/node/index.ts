/**
 * The package's Node entry (export condition "node" of `flux-ts`, and `flux-ts/node`): everything
 * of the core, with the default engine made on first use as SQLite at `.flux/flux.db` under the
 * current directory (which needs the optional peer dependency better-sqlite3: without it the
 * first run throws `MissingDependencyError` saying `npm install better-sqlite3`) and secrets from
 * environment variables.
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
export { FileBlobStore, defaultBlobDirectory, type FileBlobStoreOptions } from "./file-blob-store.js";

setDefaultEngine(() => createNodeEngine());
