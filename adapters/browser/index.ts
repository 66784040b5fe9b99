/**
 * flux-ts in a browser (the package's `browser` export condition, and `flux-ts/browser`): the
 * core, with the default engine's state in IndexedDB (database "flux"), so `workflow.run()` is
 * durable across reloads, tab closes and browser restarts, and every tab of the origin sees the
 * same executions.
 *
 * @example
 * import { task, workflow } from "flux-ts"; // this entry, in a bundler targeting browsers
 * const ctx = await helloWorld.run("World"); // recorded in IndexedDB
 */
import { Engine } from "../../src/engine.js";
import { setDefaultEngine } from "../../src/default-engine.js";
import { openIdbStore } from "../idb/index.js";
import { DeferredStore } from "./deferred-store.js";

export * from "../../src/index.js";
export { IdbStore, openIdbStore, IdbBlobStore, openIdbBlobStore } from "../idb/index.js";
export { DeferredStore } from "./deferred-store.js";

/** The IndexedDB database the browser's default engine keeps its executions in. */
export const DEFAULT_DATABASE = "flux";

setDefaultEngine(() => new Engine({ store: new DeferredStore(() => openIdbStore(DEFAULT_DATABASE)) }));
