/**
 * Paged inspection: GET /inspect/{id} and POST …?inspect=true answer one page of the history
 * (the seeds' shape, plus `next` when more events follow), read only that page from the store,
 * and write a large value once ({ "$ref": pointer } for its later copies).
 */
import { describe, expect, it } from "vitest";
import { Engine, MemoryStore, task, workflow, type LoadPage, type StoredEvent, type WorkflowExecutionContext } from "../src/index.js";
import { createRouter } from "../src/http/index.js";
import { INSPECT_PAGE_DEFAULT } from "../src/inspection.js";

const noop = task("noop", async (i: number) => i);
const many = workflow("many", async (ctx: WorkflowExecutionContext<number>) => {
  let last = 0;
  for (let i = 0; i < ctx.input; i++) last = await ctx.run(noop, i);
  return last;
});
const big = task("big", async (size: number) => "x".repeat(size));
const large = workflow("large", async (ctx: WorkflowExecutionContext<number>) => ctx.run(big, ctx.input));

/** A memory store that counts the rows `load` hands out. */
class CountingStore extends MemoryStore {
  rows = 0;
  override async load(executionId: string, page?: LoadPage): Promise<StoredEvent[]> {
    const rows = await super.load(executionId, page);
    this.rows += rows.length;
    return rows;
  }
}

function setup() {
  const store = new CountingStore();
  const engine = new Engine({ store, workflows: [many, large] });
  return { store, engine, app: createRouter(engine) };
}

async function getJson(app: ReturnType<typeof createRouter>, path: string) {
  const res = await app.request(path);
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) as Record<string, any> };
}

describe("GET /inspect/{id} in pages", () => {
  it("answers the first page with next, and the pages together are the whole history, each event once", async () => {
    const { store, engine, app } = setup();
    const ctx = await engine.run(many, 1300);
    const all = await store.load(ctx.executionId);
    expect(all.length).toBe(2 + 2 * 1300);

    store.rows = 0;
    const first = await getJson(app, `/inspect/${ctx.executionId}`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ execution_id: ctx.executionId, name: "many", input: 1300, output: 1299, state: "succeeded" });
    expect(first.body.events).toHaveLength(INSPECT_PAGE_DEFAULT);
    expect(first.body.next).toBe(`/inspect/${ctx.executionId}?from=${INSPECT_PAGE_DEFAULT}&limit=${INSPECT_PAGE_DEFAULT}`);
    // One page and the two ends, never the whole log.
    expect(store.rows).toBeLessThanOrEqual(INSPECT_PAGE_DEFAULT + 2);

    const ids: number[] = [];
    let page = first.body;
    let pages = 1;
    for (;;) {
      ids.push(...page.events.map((event: { id: number }) => event.id));
      expect(page.output).toBe(1299);
      if (page.next === undefined) break;
      page = (await getJson(app, page.next)).body;
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(ids).toEqual(all.map((event) => event.id));
  });

  it("takes from and limit, and a history that fits is the seeds' shape with no next", async () => {
    const { engine, app } = setup();
    const ctx = await engine.run(many, 3);
    const whole = await getJson(app, `/inspect/${ctx.executionId}`);
    expect(Object.keys(whole.body)).toEqual(["execution_id", "name", "input", "output", "state", "events"]);
    expect(whole.body.events.map((event: { type: string }) => event.type)).toEqual([
      "WORKFLOW_STARTED", "TASK_STARTED", "TASK_COMPLETED", "TASK_STARTED", "TASK_COMPLETED", "TASK_STARTED", "TASK_COMPLETED", "WORKFLOW_COMPLETED",
    ]);
    const middle = await getJson(app, `/inspect/${ctx.executionId}?from=2&limit=3`);
    expect(middle.body.events.map((event: { id: number }) => event.id)).toEqual([2, 3, 4]);
    expect(middle.body.next).toBe(`/inspect/${ctx.executionId}?from=5&limit=3`);
    const end = await getJson(app, `/inspect/${ctx.executionId}?from=5&limit=3`);
    expect(end.body.events.map((event: { id: number }) => event.id)).toEqual([5, 6, 7]);
    expect(end.body.next).toBeUndefined();
    const past = await getJson(app, `/inspect/${ctx.executionId}?from=100`);
    expect(past.body.events).toEqual([]);
    expect(past.body.output).toBe(2);
  });

  it("writes a large value once: its later copies are JSON Pointers to the first", async () => {
    const { engine, app } = setup();
    const size = 300_000;
    const ctx = await engine.run(large, size);
    const { body, text } = await getJson(app, `/inspect/${ctx.executionId}`);
    expect(body.output).toBe("x".repeat(size));
    const byType = Object.fromEntries(body.events.map((event: { type: string; value: unknown }) => [event.type, event.value]));
    expect(byType.TASK_COMPLETED).toEqual({ $ref: "#/output" });
    expect(byType.WORKFLOW_COMPLETED).toEqual({ $ref: "#/output" });
    expect(text.length).toBeLessThan(size * 1.1);
    // A small repeated value stays inline.
    const small = await engine.run(large, 10);
    const smallBody = (await getJson(app, `/inspect/${small.executionId}`)).body;
    expect(smallBody.events.at(-1).value).toBe("x".repeat(10));
  });

  it("answers POST ?inspect=true with the first page and next, from where the router is mounted", async () => {
    const { engine } = setup();
    const { Hono } = await import("hono");
    const app = new Hono().route("/flux", createRouter(engine));
    const res = await app.request("/flux/many?inspect=true", { method: "POST", body: "999", headers: { "Content-Type": "application/json" } });
    const body = await res.json() as Record<string, any>;
    expect(body.state).toBe("succeeded");
    expect(body.events).toHaveLength(INSPECT_PAGE_DEFAULT);
    expect(body.next).toBe(`/flux/inspect/${body.execution_id}?from=${INSPECT_PAGE_DEFAULT}&limit=${INSPECT_PAGE_DEFAULT}`);
    const rest = await (await app.request(body.next)).json() as Record<string, any>;
    expect(rest.events.map((event: { id: number }) => event.id)).toEqual(Array.from({ length: 1000 }, (_, i) => 1000 + i));
    expect(rest.next).toBeUndefined();
  });

  it("refuses a from or limit that is not a page, naming it", async () => {
    const { engine, app } = setup();
    const ctx = await engine.run(many, 1);
    for (const [query, named] of [["from=-1", "from=-1"], ["from=x", "from=x"], ["limit=0", "limit=0"], ["limit=10001", "limit=10001"], ["limit=2.5", "limit=2.5"]]) {
      const res = await getJson(app, `/inspect/${ctx.executionId}?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.message, query).toContain(named);
    }
    expect((await getJson(app, "/inspect/no-such-id")).status).toBe(404);
  });
});
