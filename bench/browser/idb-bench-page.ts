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
  /**
   * The floor of a checked commit, in raw IndexedDB (no store code): `count` strict transactions
   * in sequence, each the three requests a commit that checks where the log ends cannot do
   * without (get the execution's summary, add the step's events as one record, put the summary
   * back into a store with the store's five indexes), issued at once, then `commit()`; with
   * `requests: 1`, the add alone (no check, no summary). Resolves to transactions/s.
   */
  checkedFloor(count: number, requests: 1 | 3): Promise<number>;
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
  async checkedFloor(count, requests) {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(`flux-bench-floor-${(databases += 1)}`, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore("events", { keyPath: ["executionId", "id"] });
        const executions = request.result.createObjectStore("executions", { keyPath: "executionId" });
        executions.createIndex("newest", ["createdAt", "executionId"]);
        executions.createIndex("byWorkflow", ["workflow", "createdAt", "executionId"]);
        executions.createIndex("byState", ["state", "createdAt", "executionId"]);
        executions.createIndex("byWorkflowState", ["workflow", "state", "createdAt", "executionId"]);
        executions.createIndex("byWake", ["wakeAt", "executionId"]);
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const createdAt = Date.now();
    const start = performance.now();
    for (let i = 0; i < count; i += 1) {
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction(["events", "executions"], "readwrite", { durability: "strict" });
        tx.oncomplete = () => resolve();
        tx.onabort = () => reject(tx.error);
        const time = Date.now();
        const step = (id: number, type: string) => ({ id, type, sourceId: String(i), name: "noop", value: String(i), time });
        const read = requests === 3 ? tx.objectStore("executions").get("e") : undefined;
        tx.objectStore("events").add({ executionId: "e", id: 2 * i, batch: [step(2 * i, "TASK_STARTED"), step(2 * i + 1, "TASK_COMPLETED")] });
        if (read === undefined) return tx.commit();
        tx.objectStore("executions").put({ executionId: "e", workflow: "sequential", state: "running", events: 2 * i + 2, createdAt, updatedAt: time, wakeAt: time + 30_000, lease: { owner: "bench", expiresAt: time + 30_000 } });
        read.onsuccess = () => tx.commit();
      });
    }
    const seconds = (performance.now() - start) / 1000;
    db.close();
    return count / seconds;
  },
};

(globalThis as unknown as { fluxBench: IdbBenchApi }).fluxBench = api;
document.title = "flux bench ready";
