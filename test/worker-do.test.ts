// The repository's Worker (wrangler.toml) in workerd with its Durable Object bindings: every
// execution in its own object (SQLite storage), sleeps woken by the object's alarm at their time,
// executions listed from the directory object. Bundled by wrangler as `wrangler deploy` would.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { objectBindings } from "./support/bundle-fixture.js";
import { bundleWorker, compatibilityDate } from "./support/wrangler-bundle.js";

let dir: string;
let script: string;
let mf: Miniflare;

/** The bundle in workerd with the bindings of wrangler.toml's Durable Objects (and no D1). */
function startWorker(bindings: Record<string, string> = {}): Miniflare {
  return new Miniflare({
    modules: true, script, compatibilityDate, bindings,
    durableObjects: objectBindings,
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "flux-worker-do-"));
  script = await bundleWorker(dir);
  mf = startWorker();
}, 90_000);

afterAll(async () => {
  await mf?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

async function post(path: string, body?: string) {
  const res = await mf.dispatchFetch(`http://localhost${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, ...(body === undefined ? {} : { body }) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function get(path: string) {
  const res = await mf.dispatchFetch(`http://localhost${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

type Inspected = { state: string; output: unknown; events: { type: string; source_id: string; value: unknown; time: string }[] };
const inspect = async (id: string) => (await get(`/inspect/${id}`)) as { status: number; body: Inspected & Record<string, unknown> };

/** The state the directory lists for `id` (asking only the front and the directory: no request reaches the execution's object, so nothing but its alarm wakes it). */
async function listedState(id: string, workflow: string): Promise<string | undefined> {
  const page = (await get(`/executions?workflow=${workflow}&limit=1000`)).body.executions as { execution_id: string; state: string }[];
  return page.find((e) => e.execution_id === id)?.state;
}

async function until(what: string, probe: () => Promise<boolean>, timeout = 30_000): Promise<void> {
  for (const started = Date.now(); !(await probe()); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() - started > timeout) throw new Error(`timed out waiting for ${what}`);
  }
}

describe("the Worker in workerd, on Durable Objects", () => {
  it("runs hello_world in an object and lists it from the directory", async () => {
    const { status, body } = await post("/hello_world", '"World"');
    expect(status).toBe(200);
    expect(body).toMatchObject({ name: "hello_world", input: "World", output: "Hello, World", state: "succeeded" });
    await until("the directory", async () => ((await get("/executions")).body.executions as { execution_id: string }[]).some((e) => e.execution_id === body.execution_id));
    const listed = (await get("/executions?workflow=hello_world")).body.executions as Record<string, unknown>[];
    expect(listed.find((e) => e.execution_id === body.execution_id)).toMatchObject({ workflow: "hello_world", state: "succeeded", events: 4 });
    expect((await get("/workflows")).body.workflows).toContain("hello_world");
    const page = await get(`/executions/${body.execution_id}/events`);
    expect(page.status).toBe(200);
    expect((page.body.events as { type: string }[]).map((e) => e.type)).toEqual(["WORKFLOW_STARTED", "TASK_STARTED", "TASK_COMPLETED", "WORKFLOW_COMPLETED"]);
    expect((await get("/executions?state=bogus")).status).toBe(400);
  });

  it("starts with a given execution id once (the idempotency key), and 404s an unknown id without making it an object", async () => {
    const first = await post("/hello_world?execution_id=order-1", '"A"');
    const again = await post("/hello_world?execution_id=order-1", '"B"');
    expect(again.body).toEqual(first.body);
    expect(first.body).toMatchObject({ execution_id: "order-1", output: "Hello, A" });
    expect((await inspect("no-such-id")).status).toBe(404);
    expect((await post("/pause_workflow/no-such-id", '"x"')).status).toBe(404);
    expect((await post("/no_such_workflow", '"x"')).status).toBe(404);
    expect((await get("/inspect/bad id")).status).toBe(400);
  });

  it("pauses and resumes over HTTP (a concurrent second resume gets 409 or the finished execution), and inspects", async () => {
    const paused = await post("/pause_workflow");
    expect(paused.body.state).toBe("paused");
    const id = paused.body.execution_id as string;
    const both = await Promise.all([post(`/pause_workflow/${id}`, '"yes"'), post(`/pause_workflow/${id}`, '"no"')]);
    const statuses = both.map((r) => r.status).sort();
    expect([[200, 409], [200, 200]]).toContainEqual(statuses);
    const winner = both.find((r) => r.status === 200)!.body;
    expect(["Data processed and yes", "Data processed and no"]).toContain(winner.output);
    const inspected = await inspect(id);
    expect(inspected.body.output).toBe(winner.output);
    expect(inspected.body.events.map((e) => e.type)).toEqual([
      "WORKFLOW_STARTED", "TASK_STARTED", "TASK_COMPLETED", "TASK_PAUSED", "WORKFLOW_PAUSED",
      "TASK_RESUMED", "WORKFLOW_RESUMED", "WORKFLOW_COMPLETED",
    ]);
  });

  // The one timing assertion: the alarm is set to the sleep's wake time, and the run it wakes
  // records its resume within 1 s of it (the D1 host's Cron Trigger allows up to a minute).
  it("wakes a 5 s sleep by the object's alarm within 1 s of its due time, with no cron", async () => {
    const started = await post("/sleep_workflow", "5000");
    expect(started.body.state).toBe("paused");
    const id = started.body.execution_id as string;
    await until("the wake", async () => (await listedState(id, "sleep_workflow")) === "succeeded", 30_000);
    const { events } = (await inspect(id)).body;
    const sleep = events.find((e) => e.type === "TASK_STARTED" && e.value !== null && typeof e.value === "object" && "sleep" in e.value)!;
    const resumed = events.find((e) => e.type === "WORKFLOW_RESUMED")!;
    const due = Date.parse(sleep.time) + 5000;
    const late = Date.parse(resumed.time) - due;
    console.log(`a 5 s sleep in a Durable Object woke ${late} ms after its due time (alarm)`);
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThan(1000);
  }, 40_000);

  it("runs 100 executions in parallel, each in its own object, and lists them all", async () => {
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => post("/hello_world", JSON.stringify(`n${i}`))));
    expect(results.map((r) => r.status)).toEqual(Array(100).fill(200));
    expect(new Set(results.map((r) => r.body.output)).size).toBe(100);
    const ids = new Set(results.map((r) => r.body.execution_id as string));
    const listed = async () => {
      const seen = new Set<string>();
      for (let cursor: string | undefined, page = 0; page < 10; page += 1) {
        const { body } = await get(`/executions?workflow=hello_world&limit=50${cursor === undefined ? "" : `&cursor=${encodeURIComponent(cursor)}`}`);
        for (const e of body.executions as { execution_id: string; state: string }[]) if (e.state === "succeeded") seen.add(e.execution_id);
        cursor = body.next_cursor as string | undefined;
        if (cursor === undefined) break;
      }
      return [...ids].every((id) => seen.has(id));
    };
    await until("all 100 in the directory", listed);
  }, 60_000);

  it("requires the bearer token, in front and in the objects, when FLUX_API_TOKEN is set", async () => {
    const guarded = startWorker({ FLUX_API_TOKEN: "w0rker" });
    try {
      const denied = await guarded.dispatchFetch("http://localhost/hello_world", { method: "POST", body: '"World"' });
      expect(denied.status).toBe(401);
      expect((await guarded.dispatchFetch("http://localhost/executions")).status).toBe(401);
      const allowed = await guarded.dispatchFetch("http://localhost/hello_world", { method: "POST", body: '"World"', headers: { Authorization: "Bearer w0rker" } });
      expect(await allowed.json()).toMatchObject({ output: "Hello, World" });
    } finally {
      await guarded.dispose();
    }
  });

  it("keeps values over 256 KiB in the R2 bucket bound as BLOBS, and each object's log small", async () => {
    const withBlobs = new Miniflare({ modules: true, script, compatibilityDate, durableObjects: objectBindings, r2Buckets: ["BLOBS"] });
    try {
      const name = "d".repeat(300 * 1024);
      const ran = await withBlobs.dispatchFetch("http://localhost/hello_world", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(name) });
      const body = (await ran.json()) as { execution_id: string; state: string; output: string };
      expect(body.state).toBe("succeeded");
      expect(body.output).toBe(`Hello, ${name}`);
      // The input, the task's arguments and its result (also the output: written once).
      const listed = await (await withBlobs.getR2Bucket("BLOBS")).list({ prefix: "flux-blobs/" });
      expect(listed.objects).toHaveLength(3);
      const inspected = (await (await withBlobs.dispatchFetch(`http://localhost/inspect/${body.execution_id}`)).json()) as { input: string };
      expect(inspected.input).toBe(name);
      const raw = (await (await withBlobs.dispatchFetch(`http://localhost/executions/${body.execution_id}/events?encoding=flux`)).json()) as { events: { value: unknown }[] };
      expect(Math.max(...raw.events.map((event) => JSON.stringify(event.value).length))).toBeLessThan(200);
    } finally {
      await withBlobs.dispose();
    }
  });
});
