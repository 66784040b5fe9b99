// Events, cancellation, idempotent starts and schedules in the Worker, in workerd on D1: two
// `createWorker` instances stand for two isolates of one deployed Worker (the X-Isolate header, and
// the cron string of a Cron Trigger, pick one), so what one isolate does the other learns only
// through D1. An event sent through one isolate reaches a run the other started; a sleeping run and
// a running one are cancelled, from its own isolate and from the other; a start with an existing
// execution_id answers it; Cron Triggers run twice for the same time on both isolates start each
// firing of a schedule once.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { D1Store, type D1DatabaseLike } from "../adapters/d1/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));
let mf: Miniflare;
let store: D1Store;

beforeAll(async () => {
  const output = await build({
    configFile: false, logLevel: "silent", root,
    resolve: { alias: [{ find: /^flux-ts$/, replacement: join(root, "src/index.ts") }] },
    build: { write: false, minify: false, target: "es2022", lib: { entry: join(root, "test/fixtures/events-d1-worker.ts"), formats: ["es"], fileName: "worker" } },
  });
  const chunk = (Array.isArray(output) ? output : [output]).flatMap((o) => ("output" in o ? o.output : []))[0];
  if (chunk?.type !== "chunk") throw new Error("vite produced no worker bundle");
  expect(chunk.code).not.toMatch(/from\s+["']node:/);
  mf = new Miniflare({ modules: true, script: chunk.code, d1Databases: { DB: "flux-events" }, compatibilityDate: "2026-04-01" });
  store = new D1Store(await mf.getD1Database("DB") as unknown as D1DatabaseLike);
  await store.ready();
}, 60_000);
afterAll(() => mf?.dispose());

type Answer = { status: number; body: Record<string, unknown> & { error?: { name: string; message: string } } };

async function post(path: string, body: unknown, isolate = 0): Promise<Answer> {
  const res = await mf.dispatchFetch(`http://localhost${path}`, {
    method: "POST", headers: { "Content-Type": "application/json", "X-Isolate": String(isolate) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Answer["body"] };
}

async function inspect(id: string) {
  const res = await mf.dispatchFetch(`http://localhost/inspect/${id}`);
  return (await res.json()) as { state: string; output: unknown; events: { type: string }[] };
}

async function stats() {
  const res = await mf.dispatchFetch("http://localhost/__stats");
  return (await res.json()) as { ticks: Record<string, number>; held: Record<string, string[]> };
}

/** The Worker's scheduled handler on one isolate, as a Cron Trigger calls it. */
async function cronTrigger(isolate: number): Promise<void> {
  const worker = await mf.getWorker() as unknown as { scheduled(options: { cron: string }): Promise<unknown> };
  await worker.scheduled({ cron: `isolate-${isolate}` });
}

describe("events, cancellation and schedules in the Worker (workerd, D1, two isolates)", () => {
  it("an event sent through the other isolate reaches a waiting run; one to an ended run is 409, to an unknown id 404", async () => {
    const started = await post("/approval_by_event?execution_id=ap-1", { amount: 5 }, 0);
    expect(started).toMatchObject({ status: 200, body: { execution_id: "ap-1", state: "paused" } });
    const sent = await post("/approval_by_event/ap-1/events/approval", { approved: true, by: "ana" }, 1);
    expect(sent).toMatchObject({ status: 202, body: { execution_id: "ap-1", name: "approval", seq: 1 } });
    // Made due in the same D1 write as the event: the isolate that took it runs it after its 202,
    // under its waitUntil (engine.settled()), with no Cron Trigger.
    await expect.poll(async () => (await inspect("ap-1")).state, { timeout: 10_000 }).toBe("succeeded");
    const done = await inspect("ap-1");
    expect(done.output).toBe("approved by ana");
    expect(done.events.filter((e) => e.type === "EVENT_RECEIVED")).toHaveLength(1);

    const late = await post("/approval_by_event/ap-1/events/approval", { approved: false, by: "bo" }, 0);
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ name: "ExecutionFinishedError" });
    const unknown = await post("/approval_by_event/nobody/events/approval", {}, 1);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ name: "ExecutionNotFoundError" });
  });

  it("a start with an existing execution_id answers that execution, on either isolate, ?wait=false too", async () => {
    for (const [isolate, query] of [[0, ""], [1, ""], [1, "&wait=false"]] as const) {
      const again = await post(`/approval_by_event?execution_id=ap-1${query}`, { amount: 999 }, isolate);
      expect(again, `isolate ${isolate}${query}`).toMatchObject({ status: 200, body: { execution_id: "ap-1", state: "succeeded", input: { amount: 5 }, output: "approved by ana" } });
    }
    const waiting = await post("/approval_by_event?execution_id=ap-2&wait=false", { amount: 7 }, 1);
    expect(waiting.status).toBe(202);
    await expect.poll(async () => (await store.get("ap-2"))?.state, { timeout: 10_000 }).toBe("paused");
    expect(await post("/approval_by_event?execution_id=ap-2&wait=false", { amount: 8 }, 0)).toMatchObject({ status: 200, body: { state: "paused", input: { amount: 7 } } });
    expect((await store.load("ap-2")).filter((e) => e.type === "WORKFLOW_STARTED")).toHaveLength(1);
  });

  it("cancels a sleeping run, a running one from its own isolate (its signal aborts) and from the other (at its next commit)", async () => {
    const sleeping = await post("/napper?execution_id=nap-1", null, 0);
    expect(sleeping.body.state).toBe("paused");
    expect(await post("/napper/nap-1/cancel", { reason: "not needed" }, 1)).toEqual({ status: 200, body: { execution_id: "nap-1", state: "cancelled", cancelled: true } });
    expect(await inspect("nap-1")).toMatchObject({ state: "cancelled", output: { name: "CancelledError", reason: "not needed" } });

    expect((await post("/held?execution_id=here&wait=false", "here", 0)).status).toBe(202);
    await expect.poll(async () => (await stats()).held.here, { timeout: 10_000 }).toEqual(["started"]);
    expect(await post("/held/here/cancel", "stop", 0)).toEqual({ status: 200, body: { execution_id: "here", state: "cancelled", cancelled: true } });
    await expect.poll(async () => (await stats()).held.here, { timeout: 10_000 }).toEqual(["started", "aborted: CancelledError"]);
    expect((await inspect("here")).events.map((e) => e.type)).toEqual(["WORKFLOW_STARTED", "TASK_STARTED", "WORKFLOW_CANCELLED"]);

    expect((await post("/held?execution_id=there&wait=false", "there", 0)).status).toBe(202);
    await expect.poll(async () => (await stats()).held.there, { timeout: 10_000 }).toEqual(["started"]);
    // The other isolate cannot reach the run: it records the request; the run's next commit is refused.
    expect(await post("/held/there/cancel", "from the other isolate", 1)).toEqual({ status: 200, body: { execution_id: "there", state: "running", cancelled: true } });
    await mf.dispatchFetch("http://localhost/__release");
    await expect.poll(async () => (await store.get("there"))?.state, { timeout: 10_000 }).toBe("cancelled");
    const there = await inspect("there");
    expect(there.output).toMatchObject({ name: "CancelledError", reason: "from the other isolate" });
    // The step's commit (its start and end) was refused: the log goes from the start to the cancellation.
    expect(there.events.map((e) => e.type)).toEqual(["WORKFLOW_STARTED", "WORKFLOW_CANCELLED"]);
    expect((await stats()).held.there).toEqual(["started", "released"]);
    expect(await post("/held/there/cancel", undefined, 0)).toEqual({ status: 200, body: { execution_id: "there", state: "cancelled", cancelled: false } });
  });

  it("Cron Triggers run twice for the same time on both isolates start each firing of the schedule once", async () => {
    await Promise.all([cronTrigger(0), cronTrigger(1), cronTrigger(0), cronTrigger(1)]);
    await Promise.all([cronTrigger(1), cronTrigger(0)]);
    const firings = (await store.list({ limit: 1000 })).executions.map((s) => s.executionId).filter((id) => id.startsWith("tick:"));
    expect(firings.length).toBeGreaterThanOrEqual(1);
    // At most two: the six triggers ran within a minute's boundary of each other.
    expect(firings.length).toBeLessThanOrEqual(2);
    for (const id of firings) {
      expect(id).toMatch(/^tick:\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$/);
      await expect.poll(async () => (await store.get(id))?.state, { timeout: 10_000 }).toBe("succeeded");
      expect((await store.load(id)).filter((e) => e.type === "WORKFLOW_STARTED")).toHaveLength(1);
    }
    const { ticks } = await stats();
    expect(Object.keys(ticks).sort()).toEqual([...firings].sort());
    expect(Object.values(ticks).every((runs) => runs === 1)).toBe(true);
  });
});
