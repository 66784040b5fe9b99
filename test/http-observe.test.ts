/**
 * The routes that watch executions, in-process: GET /executions (filters, cursor paging, newest
 * first), GET /executions/{id}/events, the live stream (SSE, resumable with Last-Event-ID),
 * GET /health, and /openapi.json checked against every route of the router.
 */
import { describe, expect, it } from "vitest";
import { decodeValue, Engine, MemoryStore, task, workflow } from "../src/index.js";
import { createRouter, openApiDocument, type DashboardAssets } from "../src/http/index.js";
import { helloWorld } from "../examples/hello_world.js";
import { pauseWorkflow } from "../examples/pause.js";
import { approvalByEvent } from "../examples/approval_by_event.js";

const boom = workflow("boom", async (ctx) => ctx.run(task("explode", async () => {
  throw new TypeError("kaboom");
})));

function setup(options: Parameters<typeof createRouter>[1] = {}) {
  const engine = new Engine({ store: new MemoryStore(), workflows: [helloWorld, pauseWorkflow, approvalByEvent, boom] });
  return { engine, app: createRouter(engine, { streamPollMs: 20, ...options }) };
}

async function get(app: ReturnType<typeof createRouter>, path: string, headers: Record<string, string> = {}) {
  const res = await app.request(path, { headers });
  return { status: res.status, body: await res.json() as Record<string, any> };
}

/** Reads SSE messages from `body` until `until` says stop (or the stream ends). */
async function readSse(body: ReadableStream<Uint8Array>, until: (messages: { event: string; id?: string; data: any }[]) => boolean) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const messages: { event: string; id?: string; data: any }[] = [];
  let buffer = "";
  let ended = false;
  while (!until(messages)) {
    const { done, value } = await reader.read();
    if (done) {
      ended = true;
      break;
    }
    buffer += decoder.decode(value, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      if (block.startsWith(":")) continue;
      const fields = Object.fromEntries(block.split("\n").map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)]));
      messages.push({ event: fields.event ?? "message", ...(fields.id === undefined ? {} : { id: fields.id }), data: JSON.parse(fields.data ?? "null") });
    }
  }
  if (!ended) await reader.cancel();
  return { messages, ended };
}

describe("GET /executions", () => {
  it("lists newest first, filters by workflow and state, pages with a cursor that never repeats", async () => {
    const { engine, app } = setup();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await engine.run(helloWorld, `n${i}`, { executionId: `h${i}` })).executionId);
    await engine.run(pauseWorkflow, undefined, { executionId: "p0" });
    const all = await get(app, "/executions");
    expect(all.status).toBe(200);
    expect(all.body.executions.map((e: { execution_id: string }) => e.execution_id)).toEqual(["p0", "h4", "h3", "h2", "h1", "h0"]);
    expect(all.body.executions[0]).toMatchObject({ workflow: "pause_workflow", state: "paused", events: expect.any(Number) });
    expect((await get(app, "/executions?state=paused")).body.executions.map((e: { execution_id: string }) => e.execution_id)).toEqual(["p0"]);
    expect((await get(app, "/executions?workflow=hello_world&state=succeeded")).body.executions).toHaveLength(5);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await get(app, `/executions?workflow=hello_world&limit=2${cursor === undefined ? "" : `&cursor=${encodeURIComponent(cursor)}`}`);
      expect(page.body.executions.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.executions.map((e: { execution_id: string }) => e.execution_id));
      cursor = page.body.next_cursor;
      if (seen.length === 2) await engine.run(helloWorld, "late", { executionId: "h9" }); // added mid-paging: not in later pages
    } while (cursor !== undefined);
    expect(seen).toEqual(["h4", "h3", "h2", "h1", "h0"]);
  });

  it("answers a bad state, limit or cursor with 400 naming it", async () => {
    const { app } = setup();
    for (const [query, text] of [["state=done", "state=done"], ["limit=0", "limit=0"], ["limit=x", "limit=x"], ["cursor=nope", "nope"]] as const) {
      const res = await get(app, `/executions?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.message).toContain(text);
    }
  });

  it("names each subworkflow's parent", async () => {
    const child = workflow("child", async () => 1);
    const parent = workflow("parent", async (ctx) => ctx.call(child, undefined));
    const engine = new Engine({ store: new MemoryStore(), workflows: [parent, child] });
    const app = createRouter(engine);
    await engine.run(parent, undefined, { executionId: "top" });
    const listed = (await get(app, "/executions")).body.executions as { execution_id: string; parent_id?: string }[];
    expect(listed.find((e) => e.execution_id !== "top")?.parent_id).toBe("top");
    expect(listed.find((e) => e.execution_id === "top")?.parent_id).toBeUndefined();
  });
});

describe("GET /executions/{id}/events", () => {
  it("answers pages of events after an id, as the API shows values or as recorded (with error stacks)", async () => {
    const { engine, app } = setup();
    await engine.run(boom, undefined, { executionId: "b1" }).catch(() => undefined);
    const all = await get(app, "/executions/b1/events");
    expect(all.body.state).toBe("failed");
    expect(all.body.events.map((e: { id: number }) => e.id)).toEqual([0, 1, 2, 3]);
    expect(all.body.next_after).toBeUndefined();
    const page = await get(app, "/executions/b1/events?after=0&limit=2");
    expect(page.body.events.map((e: { id: number }) => e.id)).toEqual([1, 2]);
    expect(page.body.next_after).toBe(2);
    const failed = all.body.events.findIndex((e: { type: string }) => e.type === "TASK_FAILED");
    const wire = all.body.events[failed].value;
    expect(wire).toMatchObject({ name: "TypeError", message: "kaboom" });
    expect(wire.stack).toBeUndefined();
    const recorded = (await get(app, "/executions/b1/events?encoding=flux")).body.events[failed].value;
    const error = decodeValue(JSON.stringify(recorded)) as Error;
    expect(error).toBeInstanceOf(TypeError);
    expect(error.stack).toContain("kaboom");
    expect((await get(app, "/executions/nope/events")).status).toBe(404);
    expect((await get(app, "/executions/b1/events?encoding=xml")).status).toBe(400);
    expect((await get(app, "/executions/b1/events?after=x")).status).toBe(400);
  });
});

describe("GET /executions/{id}/stream", () => {
  it("sends a finished execution's events, then end, and closes", async () => {
    const { engine, app } = setup();
    await engine.run(helloWorld, "World", { executionId: "s1" });
    const res = await app.request("/executions/s1/stream");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const { messages, ended } = await readSse(res.body!, () => false);
    expect(ended).toBe(true);
    expect(messages.map((m) => m.event)).toEqual(["event", "event", "event", "event", "end"]);
    expect(messages.slice(0, 4).map((m) => m.id)).toEqual(["0", "1", "2", "3"]);
    expect(messages[0]!.data).toMatchObject({ id: 0, type: "WORKFLOW_STARTED", source_id: "s1", name: "hello_world", value: "World" });
    expect(messages[4]!.data).toEqual({ execution_id: "s1", state: "succeeded" });
  });

  it("stays open while paused, follows a resume live, and resumes after Last-Event-ID without repeating", async () => {
    const { engine, app } = setup();
    await engine.run(pauseWorkflow, undefined, { executionId: "s2" });
    const recorded = (await engine.store.load("s2")).length;
    const res = await app.request("/executions/s2/stream");
    const first = await readSse(res.body!, (m) => m.length === recorded);
    expect(first.ended).toBe(false);
    expect(first.messages.at(-1)!.data.type).toBe("WORKFLOW_PAUSED");

    const live = await app.request("/executions/s2/stream", { headers: { "Last-Event-ID": String(recorded - 1) } });
    const reading = readSse(live.body!, () => false);
    await engine.resume(pauseWorkflow, "s2", "yes");
    const { messages, ended } = await reading;
    expect(ended).toBe(true);
    expect(messages[0]!.id).toBe(String(recorded)); // nothing before the Last-Event-ID again
    const after = (await engine.store.load("s2", { from: recorded })).map((e) => e.type);
    expect(after).toContain("WORKFLOW_COMPLETED");
    expect(messages.map((m) => m.data.type ?? m.event)).toEqual([...after, "end"]);
    expect(messages.at(-1)!.data).toEqual({ execution_id: "s2", state: "succeeded" });
  });

  it("picks up events another engine of the same store records (by polling the store)", async () => {
    const store = new MemoryStore();
    const watcher = new Engine({ store, workflows: [approvalByEvent] });
    const worker = new Engine({ store, workflows: [approvalByEvent] });
    const app = createRouter(watcher, { streamPollMs: 10 });
    await worker.run(approvalByEvent, { amount: 5 }, { executionId: "s3" });
    const res = await app.request("/executions/s3/stream?after=1");
    const reading = readSse(res.body!, () => false);
    await worker.sendEvent("s3", "approval", { approved: true, by: "ana" });
    await worker.wakeDue();
    const { messages } = await reading;
    expect(messages.at(-1)).toMatchObject({ event: "end", data: { state: "succeeded" } });
    expect(messages.map((m) => m.data.type)).toContain("EVENT_RECEIVED");
  });

  it("ends when the server's signal aborts, and 404s for an unknown execution", async () => {
    const abort = new AbortController();
    const { engine, app } = setup({ signal: abort.signal });
    await engine.run(pauseWorkflow, undefined, { executionId: "s4" });
    const res = await app.request("/executions/s4/stream");
    const reading = readSse(res.body!, () => false);
    abort.abort();
    expect((await reading).ended).toBe(true);
    expect((await app.request("/executions/none/stream")).status).toBe(404);
    expect((await app.request("/executions/s4/stream?after=-2")).status).toBe(400);
  });
});

describe("GET /executions/{id}/check", () => {
  it("replays a history against the server's code: compatible, divergent with the step, unchecked without the workflow", async () => {
    const store = new MemoryStore();
    const engine = new Engine({ store, workflows: [pauseWorkflow, helloWorld] });
    const app = createRouter(engine);
    await engine.run(pauseWorkflow, undefined, { executionId: "p1" });
    await engine.run(helloWorld, "World", { executionId: "h1" });
    expect(await get(app, "/executions/p1/check")).toEqual({ status: 200, body: { execution_id: "p1", workflow: "pause_workflow", state: "paused", result: "compatible", steps: 1 } });
    expect((await get(app, "/executions/h1/check")).body).toMatchObject({ result: "compatible", state: "succeeded" });

    // The same store served by the next version of the code, where the first step changed.
    const renamed = workflow("pause_workflow", async (ctx) => {
      await ctx.run(task("prepare_data", async () => "x"));
      return ctx.pause("wait_for_approval");
    });
    const next = createRouter(new Engine({ store, workflows: [renamed] }));
    const divergent = await get(next, "/executions/p1/check");
    expect(divergent.body).toMatchObject({ execution_id: "p1", result: "divergent" });
    expect(divergent.body.divergence).toMatch(/step 1 was recorded as task "process_data", but the code now calls task "prepare_data"/);
    expect((await get(next, "/executions/h1/check")).body).toMatchObject({ result: "unchecked", reason: expect.stringContaining('no workflow "hello_world"') });
    expect((await get(next, "/executions/nobody/check")).status).toBe(404);
  });
});

describe("GET /health and the token", () => {
  it("answers health without a token, and everything that shows data only with it", async () => {
    const { app } = setup({ token: "s3cret" });
    expect(await get(app, "/health")).toEqual({ status: 200, body: { status: "ok", workflows: 4 } });
    expect((await app.request("/openapi.json")).status).toBe(200);
    expect((await app.request("/executions")).status).toBe(401);
    expect((await app.request("/executions/x/stream")).status).toBe(401);
    expect((await app.request("/executions", { headers: { Authorization: "Bearer s3cret" } })).status).toBe(200);
  });
});

describe("/openapi.json", () => {
  const dashboard: DashboardAssets = { get: async (path) => (path === "index.html" ? new Response("<!doctype html>") : undefined) };

  for (const withDashboard of [false, true]) {
    it(`lists exactly the router's routes and methods${withDashboard ? " (with the dashboard)" : ""}`, async () => {
      const { app } = setup(withDashboard ? { dashboard } : {});
      const served = await get(app, "/openapi.json");
      expect(served.body).toEqual(JSON.parse(JSON.stringify(openApiDocument({ dashboard: withDashboard }))));
      const shape = (path: string) => path.replace(/\{[^}]+\}|:[^/]+/g, "{}");
      const routes = new Set(app.routes.filter((r) => r.method !== "ALL" && r.path !== "*" && r.path !== "/*").map((r) => `${r.method} ${shape(r.path)}`));
      const documented = new Set(Object.entries(served.body.paths as Record<string, Record<string, unknown>>)
        .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${shape(path)}`)));
      expect([...documented].sort()).toEqual([...routes].sort());
      // Every path parameter of a documented path is declared.
      for (const [path, methods] of Object.entries(served.body.paths as Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>)) {
        const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
        for (const operation of Object.values(methods)) {
          expect((operation.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name), path).toEqual(names);
        }
      }
    });
  }

  it("serves the dashboard's page and files without a token, and 404s a missing file", async () => {
    const { app } = setup({ dashboard, token: "t" });
    const page = await app.request("/");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<!doctype html>");
    expect((await app.request("/assets/missing.js")).status).toBe(404);
  });
});
