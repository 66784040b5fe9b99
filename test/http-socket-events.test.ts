// Events, cancellation, idempotent starts and schedules over a real socket: `flux start` serving a
// workflow file of the user's project on its SQLite file, driven with fetch. An event to a waiting
// run makes it finish; one to an ended run is a 409, to an unknown id a 404; a sleeping run and a
// running one are cancelled (the running step's signal aborts, the step after never runs); a POST
// with an existing execution_id answers that execution (?wait=false too) and never starts a second;
// two `flux start` on one file fire each schedule firing once.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openSqliteStore } from "../adapters/sqlite/index.js";
import { userProject } from "./cli-support.js";
import { startFlux, type FluxServer } from "./support/flux-server.js";

/** Workflows whose steps note each run in files of the project (the test reads them). */
const workflows = `
import { appendFileSync, existsSync } from "node:fs";
import { task, workflow } from "flux-ts";

const here = process.cwd();
const note = (file, line) => appendFileSync(\`\${here}/\${file}\`, line + "\\n");

export const prepare = task("prepare", async (what) => (note("runs", "prepare " + what), what));
export const finish = task("finish", async (what) => (note("runs", "finish " + what), what));
// Runs until <project>/release-<key> exists or its signal aborts (a cancel).
export const hold = task.withContext("hold", async (tc, key) => {
  note("runs", "hold " + key);
  while (!existsSync(\`\${here}/release-\${key}\`)) {
    if (tc.signal.aborted) {
      note("runs", "aborted " + key + " " + tc.signal.reason?.name);
      throw tc.signal.reason;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return key;
});

export const awaitEvent = workflow("await_event", async (ctx) => {
  await ctx.run(ctx.input.gate ? hold : prepare, ctx.input.key);
  const got = await ctx.waitForEvent("go", ctx.input.timeout === undefined ? {} : { timeout: ctx.input.timeout });
  return ctx.run(finish, got === undefined ? "timed out" : \`got \${JSON.stringify(got)}\`);
});
export const napper = workflow("napper", async (ctx) => {
  await ctx.run(prepare, "nap");
  await ctx.sleep(3_600_000);
  return ctx.run(finish, "nap");
});
export const held = workflow("held", async (ctx) => {
  await ctx.run(hold, ctx.input);
  return ctx.run(finish, ctx.input);
});
`;

/** A schedule firing every second, whose one step notes the firing it runs for. */
const ticking = `
import { appendFileSync } from "node:fs";
import { task, workflow } from "flux-ts";
import { schedule } from "flux-ts/schedules";

const tick = task.withContext("tick", async (tc) => (appendFileSync(\`\${process.cwd()}/ticks\`, tc.executionId + "\\n"), tc.executionId));
export const ticker = workflow("ticker", async (ctx) => ctx.run(tick));
export const everySecond = schedule(ticker, { name: "tick", every: 1000 });
`;

const linesOf = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : []);

async function post(server: FluxServer, path: string, body?: unknown) {
  const res = await fetch(`${server.url}${path}`, {
    method: "POST", headers: { "Content-Type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { name: string; code: string; message: string } } };
}

async function inspect(server: FluxServer, id: string) {
  return (await (await fetch(`${server.url}/inspect/${id}`)).json()) as { state: string; output: unknown; events: { type: string; value: unknown }[] };
}

describe("events, cancellation and idempotent starts over a real socket (flux start)", () => {
  const dir = userProject({ "flows.mjs": workflows });
  const runs = () => linesOf(join(dir, "runs"));
  let server: FluxServer;

  it("an event sent over HTTP to a waiting run makes it finish; to an ended one 409; to an unknown id 404", async () => {
    server = await startFlux("flows.mjs", dir);
    const started = await post(server, "/await_event?execution_id=ev-1", { key: "ev-1" });
    expect(started).toMatchObject({ status: 200, body: { execution_id: "ev-1", state: "paused" } });
    const sent = await post(server, "/await_event/ev-1/events/go", { n: 1 });
    expect(sent).toMatchObject({ status: 202, body: { execution_id: "ev-1", name: "go", seq: 1 } });
    await expect.poll(async () => (await inspect(server, "ev-1")).state, { timeout: 10_000 }).toBe("succeeded");
    const done = await inspect(server, "ev-1");
    expect(done.output).toBe('got {"n":1}');
    expect(done.events.map((e) => e.type)).toContain("EVENT_RECEIVED");

    const late = await post(server, "/await_event/ev-1/events/go", { n: 2 });
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ name: "ExecutionFinishedError" });
    expect(late.body.error!.message).toContain("ev-1");
    const unknown = await post(server, "/await_event/no-such-run/events/go", 1);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ name: "ExecutionNotFoundError" });
    expect(unknown.body.error!.message).toContain("no-such-run");
    // An id of another workflow's execution is not this workflow's: 404 naming the right route.
    expect((await post(server, "/napper/ev-1/events/go", 1)).status).toBe(404);
    expect(runs()).toEqual(["prepare ev-1", 'finish got {"n":1}']);
  });

  it("an event sent before the wait begins is buffered and taken at once; a wait's timeout is woken by the dispatcher", async () => {
    // The event reaches the run while its first step still runs (before the wait): kept in the inbox.
    const started = await post(server, "/await_event?execution_id=buffered&wait=false", { key: "buffered", gate: true });
    expect(started.status).toBe(202);
    await expect.poll(runs, { timeout: 10_000 }).toContain("hold buffered");
    expect((await post(server, "/await_event/buffered/events/go", "first")).status).toBe(202);
    writeFileSync(join(dir, "release-buffered"), "");
    await expect.poll(async () => (await inspect(server, "buffered")).state, { timeout: 10_000 }).toBe("succeeded");
    const buffered = await inspect(server, "buffered");
    expect(buffered.output).toBe('got "first"');
    expect(buffered.events.map((e) => e.type)).not.toContain("WORKFLOW_PAUSED");

    const timing = await post(server, "/await_event?execution_id=timing", { key: "timing", timeout: 300 });
    expect(timing.body.state).toBe("paused");
    await expect.poll(async () => (await inspect(server, "timing")).state, { timeout: 10_000 }).toBe("succeeded");
    const timedOut = await inspect(server, "timing");
    expect(timedOut.output).toBe("timed out");
    expect(timedOut.events.map((e) => e.type)).toContain("EVENT_WAIT_TIMED_OUT");
  });

  it("cancels a sleeping run and a running one: the running step's signal aborts, nothing after it runs", async () => {
    const sleeping = await post(server, "/napper?execution_id=nap-1");
    expect(sleeping.body.state).toBe("paused");
    const cancelled = await post(server, "/napper/nap-1/cancel", { reason: "not needed" });
    expect(cancelled).toEqual({ status: 200, body: { execution_id: "nap-1", state: "cancelled", cancelled: true } });
    const napped = await inspect(server, "nap-1");
    expect(napped.state).toBe("cancelled");
    expect(napped.events.at(-1)?.type).toBe("WORKFLOW_CANCELLED");
    expect(napped.output).toMatchObject({ name: "CancelledError", reason: "not needed" });

    const running = await post(server, "/held?execution_id=run-1&wait=false", "run-1");
    expect(running.status).toBe(202);
    await expect.poll(runs, { timeout: 10_000 }).toContain("hold run-1");
    const stopped = await post(server, "/held/run-1/cancel", "stop it");
    expect(stopped).toEqual({ status: 200, body: { execution_id: "run-1", state: "cancelled", cancelled: true } });
    await expect.poll(runs, { timeout: 10_000 }).toContain("aborted run-1 CancelledError");
    writeFileSync(join(dir, "release-run-1"), "");
    const ran = await inspect(server, "run-1");
    expect(ran.events.map((e) => e.type)).toEqual(["WORKFLOW_STARTED", "TASK_STARTED", "WORKFLOW_CANCELLED"]);
    // Cancelling what ended is a no-op that says so; an unknown id is a 404.
    expect(await post(server, "/held/run-1/cancel")).toEqual({ status: 200, body: { execution_id: "run-1", state: "cancelled", cancelled: false } });
    expect((await post(server, "/held/nobody/cancel")).status).toBe(404);
    // An event to a cancelled execution is refused like one to any ended execution.
    expect((await post(server, "/napper/nap-1/events/go", 1)).status).toBe(409);
    expect(runs().filter((line) => line.startsWith("finish nap") || line === "finish run-1")).toEqual([]);
  });

  it("POST with an existing execution_id answers that execution as it stands, ?wait=false too, and never starts a second", async () => {
    const first = await post(server, "/await_event?execution_id=idem-1", { key: "idem-1" });
    expect(first.body).toMatchObject({ execution_id: "idem-1", state: "paused" });
    for (const query of ["", "&wait=false"]) {
      const again = await post(server, `/await_event?execution_id=idem-1${query}`, { key: "other input" });
      expect(again.status, query).toBe(200);
      expect(again.body, query).toMatchObject({ execution_id: "idem-1", state: "paused", input: { key: "idem-1" } });
    }
    await post(server, "/await_event/idem-1/events/go", "x");
    await expect.poll(async () => (await inspect(server, "idem-1")).state, { timeout: 10_000 }).toBe("succeeded");
    const ended = await post(server, "/await_event?execution_id=idem-1&wait=false", { key: "again" });
    expect(ended).toMatchObject({ status: 200, body: { execution_id: "idem-1", state: "succeeded", output: 'got "x"' } });
    // Of another workflow: refused, naming it.
    const other = await post(server, "/napper?execution_id=idem-1");
    expect(other.status).toBe(400);
    expect(other.body.error!.message).toContain('an execution of workflow "await_event"');
    // Several starts with one new id at once: one execution, its first step run once.
    const racing = await Promise.all(Array.from({ length: 4 }, () => post(server, "/await_event?execution_id=idem-race&wait=false", { key: "race" })));
    console.log(`four starts with one new execution_id at once: ${racing.map((r) => r.status).join(", ")}`);
    for (const r of racing) expect([200, 202, 409], JSON.stringify(r.body)).toContain(r.status);
    expect(racing.filter((r) => r.status === 202).length).toBeLessThanOrEqual(1);
    await expect.poll(async () => (await inspect(server, "idem-race")).state, { timeout: 10_000 }).toBe("paused");
    expect(runs().filter((line) => line === "prepare race")).toHaveLength(1);
    const store = await openSqliteStore(join(dir, ".flux", "flux.db"));
    try {
      const starts = (await store.load("idem-1")).filter((e) => e.type === "WORKFLOW_STARTED");
      expect(starts).toHaveLength(1);
      expect((await store.load("idem-race")).filter((e) => e.type === "WORKFLOW_STARTED")).toHaveLength(1);
    } finally {
      await store.close();
    }
    server.child.kill("SIGTERM");
    expect((await server.exited).code).toBe(0);
  });
});

describe("a schedule served by two `flux start` on one SQLite file", () => {
  it("starts each firing once: one execution per firing time, its step run once", async () => {
    const dir = userProject({ "ticks.mjs": ticking });
    const [a, b] = await Promise.all([startFlux("ticks.mjs", dir), startFlux("ticks.mjs", dir)]);
    // Both serve through at least three firings (whatever the load, they overlap by then).
    await expect.poll(() => new Set(linesOf(join(dir, "ticks"))).size, { timeout: 20_000, interval: 100 }).toBeGreaterThanOrEqual(3);
    a.child.kill("SIGTERM");
    b.child.kill("SIGTERM");
    expect([(await a.exited).code, (await b.exited).code]).toEqual([0, 0]);
    const ticks = linesOf(join(dir, "ticks"));
    const store = await openSqliteStore(join(dir, ".flux", "flux.db"));
    try {
      const executions = (await store.list({ limit: 1000 })).executions.map((s) => s.executionId);
      expect(executions.every((id) => /^tick:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/.test(id)), executions.join(", ")).toBe(true);
      // Each firing's step ran once (none twice, none of a firing that has no execution).
      expect([...ticks].sort()).toEqual([...new Set(ticks)].sort());
      const finished = [];
      for (const id of executions) {
        const log = await store.load(id);
        expect(log.filter((e) => e.type === "WORKFLOW_STARTED"), id).toHaveLength(1);
        if (log.some((e) => e.type === "WORKFLOW_COMPLETED")) finished.push(id);
      }
      expect(finished.every((id) => ticks.includes(id))).toBe(true);
      expect(ticks.every((id) => executions.includes(id))).toBe(true);
      console.log(`two flux start on one file: ${executions.length} firings started, ${ticks.length} step runs, ${a.output().includes("schedule tick") && b.output().includes("schedule tick") ? "both" : "not both"} serving the schedule`);
    } finally {
      await store.close();
    }
  }, 60_000);
});
