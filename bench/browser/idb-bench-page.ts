// The page of the browser benchmark: the engine on the IndexedDB store, in Chromium. The Node
// side calls `fluxBench.sequential(steps)` through page.evaluate and gets steps per second.
import { openIdbStore } from "../../adapters/idb/index.js";
import { Engine, task, workflow } from "../../src/index.js";

/** The API the page puts on `globalThis.fluxBench`. */
export interface IdbBenchApi {
  /** Runs a new execution of `steps` sequential no-op steps on a fresh database; resolves to steps/s. */
  sequential(steps: number): Promise<number>;
  /** The store alone: `count` commits of two events each (a step's), in sequence, no engine; resolves to commits/s. */
  commits(count: number): Promise<number>;
  /** The floor under it: `count` one-put readwrite transactions in sequence, with `durability`; resolves to transactions/s. */
  floor(count: number, durability: IDBTransactionDurability): Promise<number>;
}

const noop = task("noop", async (i: number) => i);
let databases = 0;

const api: IdbBenchApi = {
  async sequential(steps) {
    const store = await openIdbStore(`flux-bench-${(databases += 1)}`);
    const flow = workflow(`sequential_${steps}`, async (ctx) => {
      for (let i = 0; i < steps; i += 1) await ctx.run(noop, i);
      return steps;
    });
    const engine = new Engine({ store });
    const start = performance.now();
    const ctx = await engine.run(flow, undefined);
    const seconds = (performance.now() - start) / 1000;
    await engine.close();
    if (ctx.output !== steps) throw new Error(`the workflow ended ${ctx.state}`);
    return steps / seconds;
  },
  async commits(count) {
    const store = await openIdbStore(`flux-bench-${(databases += 1)}`);
    const event = (id: number) => ({ id, type: id === 0 ? "WORKFLOW_STARTED" : "TASK_COMPLETED", sourceId: String(id), name: "noop", value: String(id), time: Date.now() });
    await store.commit("e", [event(0)], { expectedSeq: 0 });
    const start = performance.now();
    for (let i = 0; i < count; i += 1) await store.commit("e", [event(1 + 2 * i), event(2 + 2 * i)], { expectedSeq: 1 + 2 * i });
    const seconds = (performance.now() - start) / 1000;
    await store.close();
    return count / seconds;
  },
  async floor(count, durability) {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(`flux-bench-floor-${(databases += 1)}`, 1);
      request.onupgradeneeded = () => request.result.createObjectStore("log");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const start = performance.now();
    for (let i = 0; i < count; i += 1) {
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction("log", "readwrite", { durability });
        tx.objectStore("log").put({ step: i }, i);
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
    }
    const seconds = (performance.now() - start) / 1000;
    db.close();
    return count / seconds;
  },
};

(globalThis as unknown as { fluxBench: IdbBenchApi }).fluxBench = api;
document.title = "flux bench ready";
