// Work that goes on after the response, in workerd on D1, with no Cron Trigger: an event sent over
// HTTP wakes the run waiting for it, a child that ends wakes its parent, and a queued start is
// admitted when a slot frees, each after the request that caused it was answered. A Worker may
// stop what a request left running once it answered unless it was handed to `ctx.waitUntil`; the
// router hands it the engine's background work (`engine.settled()`). Nothing here calls the
// scheduled handler: each test polls GET /inspect/{id} (a read, which starts nothing) until the
// execution succeeded.
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleFixture } from "./support/bundle-fixture.js";

let mf: Miniflare;

beforeAll(async () => {
  mf = new Miniflare({ modules: true, script: await bundleFixture("wake-d1-worker.ts"), d1Databases: { DB: "flux-wake" }, compatibilityDate: "2026-04-01" });
  await mf.ready;
}, 60_000);
afterAll(() => mf?.dispose());

async function post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await mf.dispatchFetch(`http://localhost${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function inspect(id: string): Promise<{ state: string; output: unknown }> {
  const res = await mf.dispatchFetch(`http://localhost/inspect/${id}`);
  return (await res.json()) as { state: string; output: unknown };
}

/** Polls the execution (reads only) until it reaches `state`; a generous timeout, no timing asserted. */
async function reaches(id: string, state: string): Promise<void> {
  await expect.poll(async () => (await inspect(id)).state, { timeout: 30_000, interval: 100 }).toBe(state);
}

describe("work after the response in the Worker (workerd, D1, no Cron Trigger)", () => {
  it("an event sent over HTTP wakes the paused run, which ends after the 202", async () => {
    expect(await post("/approval?execution_id=ev-1", null)).toMatchObject({ status: 200, body: { state: "paused" } });
    expect(await post("/approval/ev-1/events/approval", { approved: true, by: "ana" })).toMatchObject({ status: 202, body: { seq: 1 } });
    await reaches("ev-1", "succeeded");
    expect((await inspect("ev-1")).output).toBe("approved by ana");
  }, 60_000);

  it("a child woken by an event ends and wakes its parent", async () => {
    expect(await post("/signing_parent?execution_id=par-1", "contract")).toMatchObject({ status: 200, body: { state: "paused" } });
    const children = (await (await mf.dispatchFetch("http://localhost/executions?workflow=signed_child")).json()) as { executions: { execution_id: string }[] };
    const childId = children.executions[0]!.execution_id;
    expect(await post(`/signed_child/${childId}/events/signature`, "ana")).toMatchObject({ status: 202 });
    await reaches("par-1", "succeeded");
    expect((await inspect("par-1")).output).toBe("parent got: contract signed by ana");
  }, 60_000);

  it("a queued start is admitted and run after its 202, and the next one when the slot frees", async () => {
    // The first holds the queue's only slot while it waits for its event.
    expect(await post("/slotted?execution_id=q-1&wait=false", { wait: true })).toMatchObject({ status: 202, body: { state: "queued" } });
    await reaches("q-1", "paused");
    expect(await post("/slotted?execution_id=q-2&wait=false", { wait: false })).toMatchObject({ status: 202, body: { state: "queued" } });
    expect((await inspect("q-2")).state).toBe("queued");
    // The event ends the first (after the 202), which frees the slot: the second is admitted and runs.
    expect(await post("/slotted/q-1/events/go", "now")).toMatchObject({ status: 202 });
    await reaches("q-1", "succeeded");
    await reaches("q-2", "succeeded");
    expect((await inspect("q-2")).output).toBe("ran");
  }, 90_000);
});
