// Schedules on the Durable Object host, in workerd (Miniflare): fired by the directory object's
// alarm with no Cron Trigger, each firing started once (a repeated tick finds it exists), a
// firing missed while nothing ran caught up per `catchUp`. Asserts on the firings recorded (ids,
// times, steps), never on latency; waits are bounded by the test's timeout.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDurableWorker } from "../adapters/durable-object/index.js";
import { workflow } from "../src/index.js";
import { schedule } from "../src/schedules/index.js";
import { bundleFixture, objectBindings } from "./support/bundle-fixture.js";

const EVERY = 2_000;
const TEN_DAYS = 864_000_000;
let dir: string;
let script: string;
let mf: Miniflare | undefined;

const start = () => new Miniflare({ modules: true, script, compatibilityDate: "2026-04-01", durableObjects: objectBindings, durableObjectsPersist: dir });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "flux-do-schedules-"));
  script = await bundleFixture("do-schedules-worker.ts");
}, 60_000);
afterAll(async () => {
  await mf?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

async function get(path: string): Promise<{ status: number; body: unknown }> {
  const res = await mf!.dispatchFetch(`http://localhost${path}`);
  return { status: res.status, body: await res.json() };
}

type Listed = { execution_id: string; state: string };
async function listed(workflow: string): Promise<Listed[]> {
  return ((await get(`/executions?workflow=${workflow}&limit=1000`)).body as { executions: Listed[] }).executions;
}

/** Each firing of `tick` listed, by time: one execution per firing time, its id `tick:<ISO time>` of a multiple of EVERY. */
async function tickFirings(): Promise<number[]> {
  const ids = (await listed("tick")).map((e) => e.execution_id);
  const times = ids.map((id) => Date.parse(id.slice("tick:".length, "tick:".length + 24))).sort((a, b) => a - b);
  expect(new Set(times).size).toBe(times.length); // no firing started twice
  expect(ids.sort()).toEqual(times.map((t) => `tick:${new Date(t).toISOString()}`));
  for (const time of times) expect(time % EVERY).toBe(0);
  return times;
}

async function until(what: string, probe: () => Promise<boolean>, timeout = 90_000): Promise<void> {
  for (const started = Date.now(); !(await probe()); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() - started > timeout) throw new Error(`timed out waiting for ${what}`);
  }
}

describe("schedules on the Durable Object host, in workerd", () => {
  it("fires an every-2-s schedule by alarm, each firing once, and catches up per catchUp", async () => {
    mf = start();
    expect((await get("/workflows")).status).toBe(200); // the front's first request arms the directory's alarm
    // catchUp "latest": the firing that passed before the schedule was first seen starts at once; "none": it does not.
    const latest = Math.floor(Date.now() / TEN_DAYS) * TEN_DAYS;
    await until("rare_latest's caught-up firing", async () => (await listed("rare")).length > 0);
    // Ticks besides the alarm (a second runner, a Cron Trigger): none starts a firing again.
    const ticks = Array.from({ length: 6 }, (_, i) => new Promise((r) => setTimeout(r, i * 700)).then(() => get("/__tick")));
    await until("four firings of tick by alarm", async () => (await tickFirings()).length >= 4);
    await Promise.all(ticks);
    expect((await listed("rare")).map((e) => e.execution_id)).toEqual([`rare_latest:${new Date(latest).toISOString()}`]);

    const before = await tickFirings();
    for (const time of before) {
      const { body } = await get(`/inspect/${encodeURIComponent(`tick:${new Date(time).toISOString()}`)}`);
      const events = (body as { state: string; events: { type: string }[] }).events.map((e) => e.type);
      expect(events.filter((t) => t === "WORKFLOW_STARTED")).toHaveLength(1);
      expect(events.filter((t) => t === "TASK_STARTED")).toHaveLength(1);
    }

    // A gap: nothing runs for over three intervals, then the Worker comes back on the same storage.
    await mf.dispose();
    mf = undefined;
    const stoppedAt = Date.now();
    await new Promise((r) => setTimeout(r, 3.5 * EVERY));
    const back = Date.now();
    mf = start();
    expect((await get("/workflows")).status).toBe(200);
    await until("a firing after the gap", async () => (await tickFirings()).some((t) => t > stoppedAt));
    const after = (await tickFirings()).filter((t) => t > Math.max(...before));
    // catchUp "latest": of the firings missed in the gap, only the latest at the restart started.
    // (A firing started just before the stop is not in the gap: only times after it are.)
    const missed = after.filter((t) => t > stoppedAt && t <= back - EVERY);
    expect(missed).toEqual([]);
    expect(after.some((t) => t > back - EVERY)).toBe(true);
  }, 240_000);

  it("refuses two different schedules of one name when the Worker is made", () => {
    const report = workflow("report", async () => "done");
    expect(() => createDurableWorker({ workflows: [report], schedules: [schedule(report, { every: 1_000 }), schedule(report, { every: 2_000 })] }))
      .toThrow('two different schedules are named "report": rename one');
  });
});
