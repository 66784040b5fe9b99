// The Durable Object host at scale, in workerd (Miniflare): a workflow of 10,000 steps that
// finishes across many invocations of its object, each under the per-invocation query limit;
// ownership of an execution between concurrent resumes; an event wait's timeout woken by alarm.
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InvocationReport } from "../adapters/durable-object/index.js";
import { bundleFixture, objectBindings } from "./support/bundle-fixture.js";

/** Cloudflare's per-invocation limit of queries (D1's on the paid plan; subrequests). */
const QUERY_LIMIT = 1000;
let mf: Miniflare;

beforeAll(async () => {
  mf = new Miniflare({ modules: true, script: await bundleFixture("do-worker.ts"), compatibilityDate: "2026-04-01", durableObjects: objectBindings });
}, 60_000);
afterAll(() => mf?.dispose());

async function call(path: string, body?: string) {
  const res = await mf.dispatchFetch(`http://localhost${path}`, {
    method: body === undefined ? "GET" : "POST", headers: { "Content-Type": "application/json" }, ...(body === undefined ? {} : { body }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, location: res.headers.get("Location") };
}

/** The state the directory lists for `id` (asking only the front and the directory: no request reaches the execution's object, so only its alarm carries it on). */
async function listedState(id: string, workflow: string): Promise<string | undefined> {
  const page = (await call(`/executions?workflow=${workflow}&limit=1000`)).body.executions as { execution_id: string; state: string }[];
  return page.find((e) => e.execution_id === id)?.state;
}

async function until(what: string, probe: () => Promise<boolean> | boolean, timeout = 60_000): Promise<void> {
  for (const started = Date.now(); !(await probe()); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() - started > timeout) throw new Error(`timed out waiting for ${what}`);
  }
}

describe("the Durable Object host at scale, in workerd", () => {
  it("finishes a 10,000-step workflow across many invocations, none over the query limit; the request answers 202", async () => {
    await call("/__invocations");
    const started = await call("/many_steps", "10000");
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ name: "many_steps", state: "running" });
    const id = started.body.execution_id as string;
    expect(started.location).toBe(`/inspect/${id}`);
    await until("the 10,000 steps", async () => (await listedState(id, "many_steps")) === "succeeded", 240_000);
    // The history in pages of 10,000 events (GET /inspect pages it; `next` names the next page).
    let done = await call(`/inspect/${id}?limit=10000`);
    expect(done.body).toMatchObject({ state: "succeeded", output: (10_000 * 9_999) / 2 });
    const events = [...(done.body.events as { type: string }[])];
    let pages = 1;
    while (typeof done.body.next === "string") {
      done = await call(done.body.next);
      pages += 1;
      events.push(...(done.body.events as { type: string }[]));
    }
    expect(pages).toBe(3);
    expect(events.filter((e) => e.type === "TASK_COMPLETED")).toHaveLength(10_000);
    const reports = (await call("/__invocations")).body as unknown as InvocationReport[];
    const alarms = reports.filter((r) => r.kind === "alarm");
    const most = Math.max(...reports.map((r) => r.queries));
    console.log(`10,000 steps: ${reports.length} invocations (${alarms.length} alarms, ${reports.filter((r) => r.yielded).length} yielded), ` +
      `queries per invocation ≤ ${most}, ${reports.reduce((n, r) => n + r.statements, 0)} SQL statements in all`);
    expect(reports.length).toBeGreaterThan(1);
    expect(reports.filter((r) => r.kind === "fetch")).toHaveLength(1 + pages); // the start and the inspection's pages: alarms ran the rest
    expect(alarms.length).toBeGreaterThan(1);
    expect(most).toBeLessThan(QUERY_LIMIT);
  }, 300_000);

  it("answers one of two concurrent resumes and refuses the other with 409; the body runs once", async () => {
    await call("/__reset");
    const paused = await call("/contended", "null");
    expect(paused.body.state).toBe("paused");
    const id = paused.body.execution_id as string;
    const answered: number[] = [];
    const requests = ["a", "b"].map((who) => call(`/contended/${id}`, JSON.stringify(who)).then((r) => (answered.push(r.status), r)));
    await until("one answer", () => answered.length >= 1);
    await until("the winner in the step after the pause", async () => (await call("/__stats")).body.after === 1);
    await call("/__release");
    const results = await Promise.all(requests);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = results.find((r) => r.status === 200)!;
    expect(winner.body).toMatchObject({ state: "succeeded" });
    expect(results.find((r) => r.status === 409)!.body.error).toMatchObject({ name: "ConflictError", code: "CONFLICT" });
    expect((await call("/__stats")).body).toMatchObject({ before: 1, after: 1 });
    const events = (await call(`/inspect/${id}`)).body.events as { type: string }[];
    expect(events.filter((e) => e.type === "TASK_RESUMED")).toHaveLength(1);
  }, 60_000);

  it("suspends on a retry delay longer than it holds and runs the next attempt from the alarm, at its time", async () => {
    const started = await call("/retried", "null");
    expect(started.body.state).toBe("paused");
    const id = started.body.execution_id as string;
    await until("the retry", async () => (await listedState(id, "retried")) === "succeeded", 20_000);
    const events = (await call(`/inspect/${id}`)).body.events as { type: string; time: string }[];
    expect(events.map((e) => e.type)).toEqual([
      "WORKFLOW_STARTED", "TASK_STARTED", "TASK_RETRY_STARTED", "WORKFLOW_PAUSED",
      "WORKFLOW_RESUMED", "TASK_RETRY_COMPLETED", "TASK_COMPLETED", "WORKFLOW_COMPLETED",
    ]);
    const at = (type: string) => Date.parse(events.find((e) => e.type === type)!.time);
    expect(at("WORKFLOW_RESUMED") - at("TASK_RETRY_STARTED")).toBeGreaterThanOrEqual(2_000);
  }, 30_000);

  it("wakes an event wait's timeout by alarm, takes an event sent over HTTP, and inspects a subworkflow in its root's object", async () => {
    const expiring = await call("/approval_by_event", JSON.stringify({ amount: 5, timeoutMs: 1500 }));
    expect(expiring.body.state).toBe("paused");
    const answered = await call("/approval_by_event", JSON.stringify({ amount: 7 }));
    const sent = await call(`/approval_by_event/${answered.body.execution_id}/events/approval`, JSON.stringify({ approved: true, by: "ana" }));
    expect(sent.status).toBe(202);
    await until("the event taken", async () => (await call(`/inspect/${answered.body.execution_id}`)).body.state === "succeeded", 20_000);
    expect((await call(`/inspect/${answered.body.execution_id}`)).body.output).toBe("approved by ana");
    await until("the timeout", async () => (await listedState(expiring.body.execution_id as string, "approval_by_event")) === "succeeded", 20_000);
    expect((await call(`/inspect/${expiring.body.execution_id}`)).body.output).toBe("expired");

    const parent = await call("/main_workflow", '"abc"');
    expect(parent.body).toMatchObject({ state: "succeeded", output: "abc -> cba" });
    const child = `${parent.body.execution_id}.1`;
    await until("the child in the directory", async () => (await call(`/inspect/${child}`)).status === 200, 20_000);
    expect((await call(`/inspect/${child}`)).body).toMatchObject({ name: "sub_workflow", output: "cba" });
    const listed = await call("/executions?workflow=sub_workflow");
    expect((listed.body.executions as { execution_id: string }[]).map((e) => e.execution_id)).toContain(child);
  }, 60_000);
});
