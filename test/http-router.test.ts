import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { Engine, MemoryStore, workflow } from "../src/index.js";
import { createRouter, timingSafeEqual, toWire } from "../src/http/index.js";
import { helloWorld } from "../examples/hello_world.js";
import { pauseWorkflow } from "../examples/pause.js";
import { sleepWorkflow } from "../examples/sleep.js";

const json = { "Content-Type": "application/json" };

function setup(options: Parameters<typeof createRouter>[1] = {}, store = new MemoryStore()) {
  const engine = new Engine({ store, workflows: [helloWorld, pauseWorkflow, sleepWorkflow] });
  return { engine, app: createRouter(engine, options) };
}

async function post(app: ReturnType<typeof createRouter>, path: string, body?: string, headers: Record<string, string> = json) {
  const res = await app.request(path, { method: "POST", headers, ...(body === undefined ? {} : { body }) });
  return { status: res.status, body: await res.json() as Record<string, unknown>, res };
}

describe("HTTP router (in-process)", () => {
  it("runs hello_world and answers the seeds' format", async () => {
    const { app } = setup();
    const { status, body } = await post(app, "/hello_world", '"World"');
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(["execution_id", "input", "name", "output", "state"]);
    expect(body).toMatchObject({ name: "hello_world", input: "World", output: "Hello, World", state: "succeeded" });
    expect(body.execution_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("adds the events with ?inspect=true, and GET /inspect/{id} returns them", async () => {
    const { app } = setup();
    const { body } = await post(app, "/hello_world?inspect=true", '"World"');
    const events = body.events as { type: string; source_id: string; name: string; value: unknown; time: string }[];
    expect(events.map((e) => e.type)).toEqual(["WORKFLOW_STARTED", "TASK_STARTED", "TASK_COMPLETED", "WORKFLOW_COMPLETED"]);
    expect(events[1]).toMatchObject({ source_id: "1", name: "say_hello", value: ["World"] });
    expect(new Date(events[0]!.time).toISOString()).toBe(events[0]!.time);

    const res = await app.request(`/inspect/${body.execution_id as string}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(body);
  });

  it("pauses, then resumes with the body as the pause's value", async () => {
    const { app } = setup();
    const first = await post(app, "/pause_workflow");
    expect(first.body).toMatchObject({ state: "paused", output: null });
    const id = first.body.execution_id as string;
    const resumed = await post(app, `/pause_workflow/${id}`, '"signed off"');
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ execution_id: id, state: "succeeded", output: "Data processed and signed off" });
    const again = await post(app, `/pause_workflow/${id}`, '"late"');
    expect(again.body).toMatchObject({ state: "succeeded", output: "Data processed and signed off" });
  });

  it("answers a failed execution with 200, state failed and the error as JSON", async () => {
    const { app } = setup();
    const { status, body } = await post(app, "/hello_world");
    expect(status).toBe(200);
    expect(body.state).toBe("failed");
    expect(body.output).toMatchObject({ name: "ExecutionError", code: "EXECUTION_ERROR", cause: { name: "TypeError", message: "Input not provided" } });
    expect(JSON.stringify(body.output)).not.toContain("stack");
  });

  it("refuses a concurrent resume of one execution with 409, on one server and across two", async () => {
    const store = new MemoryStore();
    const { app } = setup({}, store);
    const other = setup({}, store).app;
    const id = (await post(app, "/pause_workflow")).body.execution_id as string;
    const both = await Promise.all([post(app, `/pause_workflow/${id}`, '"a"'), post(app, `/pause_workflow/${id}`, '"b"')]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(both.find((r) => r.status === 409)!.body).toMatchObject({ error: { name: "ConflictError", code: "CONFLICT" } });

    const id2 = (await post(app, "/pause_workflow")).body.execution_id as string;
    const across = await Promise.all([post(app, `/pause_workflow/${id2}`, '"a"'), post(other, `/pause_workflow/${id2}`, '"b"')]);
    expect(across.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  it("resumes a parent waiting on a paused subworkflow: the body reaches the child's pause", async () => {
    const approval = workflow("http_approval", async (ctx) => ctx.pause<string>("approve"));
    const parent = workflow("http_parent", async (ctx) => `approved by ${await ctx.call(approval, null)}`);
    const app = createRouter(new Engine({ store: new MemoryStore(), workflows: [parent] }));
    const first = await post(app, "/http_parent");
    expect(first.body).toMatchObject({ state: "paused" });
    const done = await post(app, `/http_parent/${first.body.execution_id as string}`, '"alice"');
    expect(done.body).toMatchObject({ state: "succeeded", output: "approved by alice" });
  });

  it("sends an event (202, durable, then taken by the wait), cancels (200), and answers 409 for an ended execution", async () => {
    const store = new MemoryStore();
    const waiter = workflow("http_waiter", async (ctx) => `got ${await ctx.waitForEvent<string>("go")}`);
    const app = createRouter(new Engine({ store, workflows: [waiter] }));
    const first = await post(app, "/http_waiter");
    const id = first.body.execution_id as string;
    const sent = await post(app, `/http_waiter/${id}/events/go`, '"green"');
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({ execution_id: id, name: "go", seq: 1 });
    await expect.poll(async () => (await store.get(id))?.state).toBe("succeeded");
    expect((await (await app.request(`/inspect/${id}`)).json() as { output: string }).output).toBe("got green");
    const late = await post(app, `/http_waiter/${id}/events/go`, '"red"');
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ error: { code: "EXECUTION_FINISHED" } });
    const second = (await post(app, "/http_waiter")).body.execution_id as string;
    const cancelled = await post(app, `/http_waiter/${second}/cancel`, '{"reason": "not needed"}');
    expect(cancelled.body).toEqual({ execution_id: second, state: "cancelled", cancelled: true });
    const again = await post(app, `/http_waiter/${second}/cancel`);
    expect(again.body).toEqual({ execution_id: second, state: "cancelled", cancelled: false });
    expect((await post(app, "/http_waiter/nobody/events/go", "1")).status).toBe(404);
    expect((await post(app, `/hello_world/${second}/cancel`)).status).toBe(404);
  });

  it("starts with ?execution_id= once: an existing execution is answered as it stands, never started twice", async () => {
    const { app, engine } = setup();
    const first = await post(app, "/pause_workflow?execution_id=order-1");
    expect(first.body).toMatchObject({ execution_id: "order-1", state: "paused" });
    const again = await post(app, "/pause_workflow?execution_id=order-1");
    expect(again.body).toMatchObject({ execution_id: "order-1", state: "paused" });
    const background = await post(app, "/pause_workflow?execution_id=order-1&wait=false");
    expect(background.status).toBe(200);
    expect(background.body).toMatchObject({ execution_id: "order-1", state: "paused" });
    expect((await engine.list()).executions).toHaveLength(1);
    expect((await engine.store.load("order-1")).filter((e) => e.type === "TASK_RESUMED")).toHaveLength(0);
    const fresh = await post(app, "/pause_workflow?execution_id=order-2&wait=false");
    expect(fresh.status).toBe(202);
    expect(fresh.body).toMatchObject({ execution_id: "order-2" });
    expect((await post(app, "/hello_world?execution_id=order-1")).status).toBe(400);
    expect((await post(app, "/hello_world?execution_id=bad%20id")).status).toBe(400);
  });

  it("answers 409 when there is no pause to resume, naming what the execution waits on", async () => {
    const napper = workflow("http_napper", async (ctx) => ctx.sleep(60_000));
    const app = createRouter(new Engine({ store: new MemoryStore(), holdSleepsUpTo: 0, workflows: [napper] }));
    const first = await post(app, "/http_napper");
    const refused = await post(app, `/http_napper/${first.body.execution_id as string}`, '"x"');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { name: "NotResumableError", code: "NOT_RESUMABLE" } });
    expect((refused.body.error as { message: string }).message).toContain("it waits on sleep until");
  });

  it("answers a 500 with an error id only: the details (a database path) are logged, not sent", async () => {
    class Broken extends MemoryStore {
      override async get(): Promise<undefined> {
        throw new Error("SQLITE_IOERR: disk I/O error in /srv/secret/path/flux.db");
      }
    }
    const app = createRouter(new Engine({ store: new Broken(), workflows: [pauseWorkflow] }));
    const logged: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void logged.push(args);
    try {
      const res = await post(app, "/pause_workflow/some-id", '"x"');
      expect(res.status).toBe(500);
      const error = res.body.error as { id: string; message: string; code: string };
      expect(error.code).toBe("INTERNAL");
      expect(JSON.stringify(res.body)).not.toContain("/srv/secret");
      expect(JSON.stringify(res.body)).not.toContain("SQLITE");
      expect(error.message).toContain(error.id);
      expect(logged.some((args) => String(args[0]).includes(error.id) && String(args.at(-1)).includes("/srv/secret/path"))).toBe(true);
    } finally {
      console.error = original;
    }
  });

  it("answers 404 with a JSON error for an unknown workflow, execution or route", async () => {
    const { app } = setup();
    const unknown = await post(app, "/no_such_workflow", '"x"');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { name: "WorkflowNotFoundError", code: "WORKFLOW_NOT_FOUND" } });
    expect((unknown.body.error as { message: string }).message).toContain('"hello_world"');
    expect((await post(app, "/hello_world/nope", '"x"')).status).toBe(404);
    const inspect = await app.request("/inspect/nope");
    expect(inspect.status).toBe(404);
    expect(await inspect.json()).toMatchObject({ error: { code: "EXECUTION_NOT_FOUND" } });
    const id = (await post(app, "/pause_workflow")).body.execution_id as string;
    const wrong = await post(app, `/hello_world/${id}`, '"x"');
    expect(wrong.status).toBe(404);
    expect((wrong.body.error as { message: string }).message).toContain(`POST /pause_workflow/${id}`);
    const route = await app.request("/a/b/c");
    expect(route.status).toBe(404);
    expect(await route.json()).toMatchObject({ error: { code: "ROUTE_NOT_FOUND" } });
  });

  it("answers 400 for malformed JSON or a bad flag, never 500 for bad input", async () => {
    const { app } = setup();
    const bad = await post(app, "/hello_world", "World");
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: "MALFORMED_REQUEST" } });
    expect((bad.body.error as { message: string }).message).toContain(`--data '"World"'`);
    expect((await post(app, "/hello_world?inspect=maybe", '"x"')).status).toBe(400);
    const garbage = ["{", "[1,", "\u0000", "nul", '"unterminated', "{}}", "1e999999x"];
    for (const body of garbage) expect((await post(app, "/hello_world", body)).status).toBe(400);
    for (const path of ["/", "/%zz", "/inspect/", "/inspect/%20", "/hello_world/..", "/workflows/x/y"]) {
      for (const method of ["GET", "POST", "PUT", "DELETE"]) {
        const res = await app.request(path, { method, body: method === "GET" ? undefined : "x" });
        expect(res.status, `${method} ${path}`).toBeLessThan(500);
      }
    }
  });

  it("answers 413 for a body over the limit (default 1 MiB, configurable)", async () => {
    const { app } = setup();
    const big = JSON.stringify("x".repeat(1024 * 1024));
    const res = await post(app, "/hello_world", big);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });
    expect((await post(app, "/hello_world", JSON.stringify("x".repeat(1000)))).status).toBe(200);
    const small = setup({ bodyLimit: 100 }).app;
    expect((await post(small, "/hello_world", JSON.stringify("x".repeat(200)))).status).toBe(413);
    expect((await post(small, "/hello_world", '"World"')).status).toBe(200);
  });

  it("requires the bearer token on every route when one is configured", async () => {
    const { app } = setup({ token: "s3cret-token" });
    for (const [method, path] of [["POST", "/hello_world"], ["GET", "/inspect/x"], ["GET", "/workflows"], ["GET", "/nope"]] as const) {
      const res = await app.request(path, { method, headers: json, body: method === "POST" ? '"World"' : undefined });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.headers.get("WWW-Authenticate")).toContain("Bearer");
      expect(await res.json()).toMatchObject({ error: { code: "UNAUTHORIZED" } });
    }
    const wrong = await post(app, "/hello_world", '"World"', { ...json, Authorization: "Bearer s3cret-tokem" });
    expect(wrong.status).toBe(401);
    const right = await post(app, "/hello_world", '"World"', { ...json, Authorization: "Bearer s3cret-token" });
    expect(right.status).toBe(200);
    expect(right.body.output).toBe("Hello, World");
    expect(timingSafeEqual("abc", "abc")).toBe(true);
    expect(timingSafeEqual("abc", "abd")).toBe(false);
    expect(timingSafeEqual("ab", "abc")).toBe(false);
    expect(timingSafeEqual("", "abc")).toBe(false);
    expect(timingSafeEqual("abcd", "abc")).toBe(false);
  });

  it("lists the registered workflows", async () => {
    const { app } = setup();
    const res = await app.request("/workflows");
    expect(await res.json()).toEqual({ workflows: ["hello_world", "pause_workflow", "sleep_workflow"] });
  });

  it("starts asynchronously with ?wait=false: 202, Location, and the execution runs on", async () => {
    const { app, engine } = setup();
    const { status, body, res } = await post(app, "/sleep_workflow?wait=false", "300");
    expect(status).toBe(202);
    const id = body.execution_id as string;
    expect(body).toMatchObject({ name: "sleep_workflow", input: 300, state: "running" });
    expect(res.headers.get("Location")).toBe(`/inspect/${id}`);
    expect(await engine.store.get(id)).toBeDefined();
    const running = await (await app.request(`/inspect/${id}`)).json() as { state: string };
    expect(running.state).toBe("running");
    await expect.poll(async () => ((await (await app.request(`/inspect/${id}`)).json()) as { state: string }).state, { timeout: 5000 }).toBe("succeeded");

    const outer = new Hono().route("/flux", app);
    const mounted = await outer.request("/flux/hello_world?wait=false", { method: "POST", body: '"World"' });
    expect(mounted.status).toBe(202);
    const location = mounted.headers.get("Location")!;
    expect(location).toMatch(/^\/flux\/inspect\//);
    await expect.poll(async () => ((await (await outer.request(location)).json()) as { output?: string }).output, { timeout: 5000 }).toBe("Hello, World");
  });

  it("turns values into plain JSON: Dates as ISO, Errors with name, message and cause", () => {
    const error = new TypeError("outer", { cause: new RangeError("inner") });
    expect(toWire({ at: new Date(0), error, skip: undefined, list: [undefined, 1] })).toEqual({
      at: "1970-01-01T00:00:00.000Z",
      error: { name: "TypeError", message: "outer", cause: { name: "RangeError", message: "inner" } },
      list: [null, 1],
    });
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(toWire(cycle)).toEqual({ self: "[Circular]" });
  });
});

describe("a workflow returning dates", () => {
  it("answers them as ISO strings", async () => {
    const dated = workflow("dated", async (ctx) => ({ at: await ctx.now() }));
    const app = createRouter(new Engine({ workflows: [dated] }));
    const res = await app.request("/dated", { method: "POST" });
    const body = await res.json() as { output: { at: string } };
    expect(body.output.at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});
