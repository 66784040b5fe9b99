// The browser entry ("flux-ts" in a browser bundle; the playground's Vite config aliases the
// package name to it), imported by path for the names the core's types do not declare.
import { DEFAULT_DATABASE, DeferredStore, Engine, openIdbStore, setDefaultEngine } from "../../adapters/browser/index.js";

export { DEFAULT_DATABASE };

/**
 * The playground's engine: the browser entry's IndexedDB store (database "flux", shared by the
 * origin's tabs), made the default engine so that example code calling `workflow.run()` uses it.
 *
 * Which tab runs an execution is decided by Web Locks (see `Runner`), which the browser frees the
 * moment a tab dies: so every tab of the playground uses one runner id, and an execution a reload
 * interrupted is taken up at once instead of after the store lease of the dead tab expires
 * (30 s). Without Web Locks, each tab has its own runner id and the leases alone decide.
 */
export function createEngine(): Engine {
  const locks = typeof navigator !== "undefined" && navigator.locks !== undefined;
  const engine = new Engine({
    store: new DeferredStore(() => openIdbStore(DEFAULT_DATABASE)),
    ...(locks ? { runnerId: "flux-playground" } : {}),
  });
  setDefaultEngine(engine);
  return engine;
}

/**
 * An engine on the same store that never runs a workflow: the runner sends events through it.
 * `engine.sendEvent` delivers the event (durably, in the execution's inbox) and then has its own
 * engine wake the execution if it can; this one has no workflow, so its wake-up finds nothing to
 * run, and the runner continues the execution under its Web Lock with the code it started with.
 */
export function createPostbox(engine: Engine): Pick<Engine, "sendEvent"> {
  return new Engine({ store: engine.store, runnerId: `${engine.runnerId}-postbox` });
}
