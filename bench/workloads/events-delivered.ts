import { Engine, workflow } from "../../src/index.js";
import { openBenchStore, type StoreKind } from "../lib/bench-store.js";
import { oneRowTransactionsMs } from "../lib/one-row-transactions.js";
import { secondsSince } from "../lib/noop.js";
import type { Workload } from "../lib/workload.js";

const executions = 1_000;

/** Waits for the event "go" and returns its payload. */
const waiter = workflow("bench_event_waiter", async (ctx) => ctx.waitForEvent<number>("go"));

/**
 * 1,000 executions suspended on `ctx.waitForEvent("go")` on one engine; then one event sent to
 * each, all at once (`engine.sendEvent`), and the clock stops when all 1,000 have finished. Each
 * event costs a durable delivery to the inbox (one transaction), the wake's lease claim (one
 * more), and the commit that consumes it with EVENT_RECEIVED and the end (shared by the group
 * commit). The floor, measured in the same sample: 2,000 one-row durable transactions in a row.
 */
const eventsDelivered: Workload = {
  title: "Events to 1,000 waiting executions",
  unit: "events/s",
  target: { value: 1_000, better: "higher", on: "sqlite" },
  variants: ["sqlite", "memory"],
  async measure(variant) {
    const { store, dispose } = await openBenchStore(variant as StoreKind);
    const engine = new Engine({ store, workflows: [waiter] });
    const ids = Array.from({ length: executions }, (_, i) => `waiter-${i}`);
    await Promise.all(ids.map((id) => engine.run(waiter, undefined, { executionId: id })));
    // Counted as they are recorded, then checked durable (a list query only once all were seen).
    let completed = 0;
    let allSeen: () => void = () => {};
    const seen = new Promise<void>((resolve) => (allSeen = resolve));
    engine.subscribe((notice) => {
      if (notice.kind === "event" && notice.event.type === "WORKFLOW_COMPLETED" && ++completed === executions) allSeen();
    });
    const start = performance.now();
    await Promise.all(ids.map((id, i) => engine.sendEvent(id, "go", i)));
    const sent = secondsSince(start);
    await seen;
    for (;;) {
      const { executions: done } = await store.list({ state: "succeeded", limit: executions });
      if (done.length === executions) break;
      if (secondsSince(start) > 60) throw new Error(`${executions - done.length} executions still waiting 60 s after their events`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const seconds = secondsSince(start);
    const outputs = await Promise.all(ids.slice(0, 5).map(async (id) => (await engine.inspect(id))?.output));
    if (outputs.some((output, i) => output !== i)) throw new Error(`wrong outputs: ${JSON.stringify(outputs)}`);
    await engine.close();
    await dispose();
    const floor = variant === "sqlite" ? oneRowTransactionsMs(2 * executions) / 1000 : undefined;
    const note = `all sent (durable) in ${(sent * 1000).toFixed(0)} ms, all finished in ${(seconds * 1000).toFixed(0)} ms`
      + (floor === undefined ? "" : `; floor (2,000 one-row txns) ${(floor * 1000).toFixed(0)} ms = ${(seconds / floor).toFixed(2)}× it`);
    return { value: executions / seconds, note };
  },
};
export default eventsDelivered;
