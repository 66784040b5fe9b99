import { afterAll, describe, expect, it } from "vitest";
import { openPostgresStore } from "../adapters/postgres/index.js";
import { Engine } from "../src/engine.js";
import type { StateStore } from "../src/state-store.js";
import { workflow } from "../src/workflow.js";
import { usePostgres } from "./support/use-postgres.js";

// Wake-ups across runners through LISTEN/NOTIFY: a runner whose dispatcher polls only every 10
// minutes still continues, at once, an execution that another runner (another handle on the
// database, as another process has) made due. Without the notices these would wait 10 minutes.
const postgres = usePostgres();
const closing: (Engine | StateStore)[] = [];
afterAll(async () => {
  for (const thing of closing.reverse()) await thing.close().catch(() => undefined);
});

const approval = workflow("approval", async (ctx) => `got ${String(await ctx.waitForEvent<string>("go"))}`);
const child = workflow("child", async (ctx) => {
  await ctx.waitForEvent("finish");
  return "child done";
});
const parent = workflow("parent", async (ctx) => `parent after ${await ctx.call(child, undefined)}`);

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 600; i += 1) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.skipIf(postgres.unavailable !== undefined)(`wake-ups across runners on PostgreSQL${postgres.unavailable === undefined ? "" : ` (skipped: ${postgres.unavailable})`}`, () => {
  async function runners(schema: string) {
    const url = postgres.cluster().url();
    const open = async () => {
      const store = await openPostgresStore({ url, schema, poolSize: 3 });
      closing.push(store);
      return store;
    };
    // The sender continues nothing itself (it would, at once, what it makes due).
    const sender = new Engine({ store: await open(), workflows: [approval, parent, child], runnerId: "sender", wakeOnItsOwn: false });
    const waker = new Engine({ store: await open(), workflows: [approval, parent, child], runnerId: "waker", dispatcher: { pollInterval: 600_000 } });
    closing.push(sender, waker);
    return { sender, waker };
  }

  it("continues an execution paused on an event when another runner sends it", async () => {
    const { sender, waker } = await runners("wakes_event");
    const ctx = await sender.run(approval, undefined);
    expect(ctx.paused).toBe(true);
    waker.startDispatcher();
    // Its first poll found nothing due; the event is sent after it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await sender.sendEvent(ctx.executionId, "go", "yes");
    const summary = await until("the execution to finish", () => sender.store.get(ctx.executionId), (s) => s?.state === "succeeded");
    expect(summary?.lease).toBeUndefined();
    expect((await waker.inspect(ctx.executionId))?.output).toBe("got yes");
  });

  it("continues a parent when its child, finished by another runner, lands", async () => {
    const { sender, waker } = await runners("wakes_child");
    const ctx = await sender.run(parent, undefined);
    expect(ctx.paused).toBe(true);
    const [childSummary] = (await sender.store.list({ workflow: "child" })).executions;
    await sender.close(); // the parent's runner is gone: only the waker can continue it
    waker.startDispatcher();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const third = new Engine({ store: await openPostgresStore({ url: postgres.cluster().url(), schema: "wakes_child", poolSize: 2 }), workflows: [child], wakeOnItsOwn: false });
    closing.push(third, third.store);
    await third.sendEvent(childSummary!.executionId, "finish");
    await until("the parent to finish", () => waker.store.get(ctx.executionId), (s) => s?.state === "succeeded");
    expect((await waker.inspect(ctx.executionId))?.output).toBe("parent after child done");
  });
});
