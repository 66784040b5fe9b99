import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { D1Store, type D1DatabaseLike } from "../adapters/d1/index.js";
import { encodeValue } from "../src/serialization.js";
import { repo } from "./cli-support.js";
import { bundleWorker, compatibilityDate, databaseId, wranglerEnv as env, wrangler } from "./support/wrangler-bundle.js";
import { createClient, type EventJson } from "../src/client/index.js";
import { pauseWorkflow } from "../examples/pause.js";

let dir: string;
let script: string;
let mf: Miniflare;

/** The Worker as `wrangler deploy` would upload it, in workerd, on a D1 migrated by wrangler (no Durable Object bindings: the D1 host). */
function startWorker(bindings: Record<string, string> = {}): Miniflare {
  return new Miniflare({
    modules: true, script, compatibilityDate, bindings,
    d1Databases: { DB: databaseId }, d1Persist: join(dir, "state", "v3", "d1"),
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "flux-worker-"));
  const run = promisify(execFile);
  // Bundle with wrangler from the repo's wrangler.toml, and migrate a local D1 with wrangler.
  script = await bundleWorker(dir);
  const migrated = await run(wrangler, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", join(dir, "state")], { cwd: repo, env, timeout: 60_000 });
  expect(migrated.stdout).toMatch(/0001_init\.sql.*✅/s);
  mf = startWorker();
}, 90_000);

afterAll(async () => {
  await mf?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

async function post(path: string, body?: string, headers: Record<string, string> = { "Content-Type": "application/json" }) {
  const res = await mf.dispatchFetch(`http://localhost${path}`, { method: "POST", headers, ...(body === undefined ? {} : { body }) });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}

/** The Worker's scheduled handler, as Miniflare exposes it. */
async function scheduled(): Promise<void> {
  const worker = await mf.getWorker() as unknown as { scheduled(options: { cron: string }): Promise<unknown> };
  await worker.scheduled({ cron: "* * * * *" });
}

async function inspect(id: string) {
  const res = await mf.dispatchFetch(`http://localhost/inspect/${id}`);
  return { status: res.status, body: await res.json() as { state: string; output: unknown; events: { type: string; value: unknown }[] } };
}

describe("the Worker in workerd, on D1", () => {
  it("is bundled without Node built-ins, the Node or browser store, with one copy of the core", () => {
    expect(script).not.toMatch(/from\s*["']node:/);
    expect(script).not.toContain("better-sqlite3");
    expect(script).not.toContain("indexedDB"); // "flux-ts" resolved through the workerd condition, not browser
    expect(script.match(/\bWorkflow\d* = class\b|\bclass Workflow\b/g)).toHaveLength(1); // one Workflow class for examples and engine
  });

  it("runs hello_world and keeps it in D1 (schema from the wrangler migrations)", async () => {
    const { status, body } = await post("/hello_world", '"World"');
    expect(status).toBe(200);
    expect(body).toMatchObject({ name: "hello_world", input: "World", output: "Hello, World", state: "succeeded" });
    const db = await mf.getD1Database("DB");
    const row = await db.prepare("SELECT workflow, state, events FROM flux_executions WHERE id = ?").bind(body.execution_id).first();
    expect(row).toEqual({ workflow: "hello_world", state: "succeeded", events: 4 });
    const migrations = await db.prepare("SELECT name FROM d1_migrations ORDER BY id").all<{ name: string }>();
    expect(migrations.results.map((r: { name: string }) => r.name)[0]).toBe("0001_init.sql");
  });

  // Two resumes sent together: the second gets 409 while the first runs, or, when the first has
  // already finished (pause_workflow ends at once), the execution as it ended. Either way only
  // one resume is recorded. (That overlapping resumes always get 409 is proven, deterministically,
  // by worker-d1-concurrency.test.ts, whose step after the pause waits for the others.)
  it("pauses, resumes over HTTP (a concurrent second resume gets 409 or the finished execution), and inspects", async () => {
    const paused = await post("/pause_workflow");
    expect(paused.body.state).toBe("paused");
    const id = paused.body.execution_id as string;
    const both = await Promise.all([post(`/pause_workflow/${id}`, '"yes"'), post(`/pause_workflow/${id}`, '"no"')]);
    const statuses = both.map((r) => r.status).sort();
    expect([[200, 409], [200, 200]]).toContainEqual(statuses);
    const winner = both.find((r) => r.status === 200)!.body;
    expect(winner.state).toBe("succeeded");
    expect(["Data processed and yes", "Data processed and no"]).toContain(winner.output);
    for (const r of both) if (r.status === 200) expect(r.body.output).toBe(winner.output);
    const inspected = await inspect(id);
    expect(inspected.status).toBe(200);
    expect(inspected.body.output).toBe(winner.output);
    expect(inspected.body.events.map((e) => e.type)).toEqual([
      "WORKFLOW_STARTED", "TASK_STARTED", "TASK_COMPLETED", "TASK_PAUSED", "WORKFLOW_PAUSED",
      "TASK_RESUMED", "WORKFLOW_RESUMED", "WORKFLOW_COMPLETED",
    ]);
    expect((await inspect("no-such-id")).status).toBe(404);
    expect((await post("/no_such_workflow", '"x"')).status).toBe(404);
  });

  it("suspends a long ctx.sleep instead of holding the request; the Cron Trigger wakes it when due", async () => {
    const started = await post("/sleep_workflow", "1500");
    expect(started.status).toBe(200);
    expect(started.body.state).toBe("paused");
    const id = started.body.execution_id as string;
    await scheduled();
    expect((await inspect(id)).body.state).toBe("paused");
    await new Promise((resolve) => setTimeout(resolve, 1600));
    await scheduled();
    await expect.poll(async () => (await inspect(id)).body.state, { timeout: 5000 }).toBe("succeeded");
    const done = await inspect(id);
    expect(done.body.output).toBeGreaterThanOrEqual(1500);
  });

  it("recovers, from the Cron Trigger, an execution whose request died mid-run", async () => {
    const store = new D1Store(await mf.getD1Database("DB") as unknown as D1DatabaseLike);
    const at = Date.now() - 120_000;
    const event = (id: number, type: string, sourceId: string, name: string, value: unknown) => ({ id, type, sourceId, name, value: encodeValue(value), time: at + id });
    await store.commit("died-mid-run", [
      event(0, "WORKFLOW_STARTED", "died-mid-run", "hello_world", "Bo"),
      event(1, "TASK_STARTED", "1", "say_hello", ["Bo"]),
    ], { expectedSeq: 0 });
    expect((await inspect("died-mid-run")).body.state).toBe("running");
    await scheduled();
    await expect.poll(async () => (await inspect("died-mid-run")).body, { timeout: 5000 }).toMatchObject({ state: "succeeded", output: "Hello, Bo" });
  });

  it("requires the bearer token when FLUX_API_TOKEN is set", async () => {
    const guarded = startWorker({ FLUX_API_TOKEN: "w0rker" });
    try {
      const denied = await guarded.dispatchFetch("http://localhost/hello_world", { method: "POST", body: '"World"' });
      expect(denied.status).toBe(401);
      const allowed = await guarded.dispatchFetch("http://localhost/hello_world", { method: "POST", body: '"World"', headers: { Authorization: "Bearer w0rker" } });
      expect(await allowed.json()).toMatchObject({ output: "Hello, World" });
    } finally {
      await guarded.dispose();
    }
  });

  it("serves flux-ts/client over a socket: run, list, a live stream through a resume", async () => {
    const flux = createClient({ baseUrl: await mf.ready });
    expect(await flux.health()).toMatchObject({ status: "ok" });
    const paused = await flux.run(pauseWorkflow, undefined);
    expect(paused.state).toBe("paused");
    expect((await flux.list({ workflow: pauseWorkflow, state: "paused" })).executions.map((e) => e.execution_id)).toContain(paused.execution_id);
    const seen: EventJson[] = [];
    for await (const event of flux.stream(paused.execution_id)) {
      seen.push(event);
      if (event.type === "WORKFLOW_PAUSED") void flux.resume(pauseWorkflow, paused.execution_id, "from workerd");
    }
    expect(seen.map((e) => e.id)).toEqual(seen.map((_, i) => i));
    expect(seen.at(-1)).toMatchObject({ type: "WORKFLOW_COMPLETED", value: "Data processed and from workerd" });
    expect((await flux.inspect(paused.execution_id, pauseWorkflow)).state).toBe("succeeded");
  });

  it("serves the dashboard from its assets binding, and the data it shows only with the token", async () => {
    const withAssets = new Miniflare({
      modules: true, script, compatibilityDate, bindings: { FLUX_API_TOKEN: "w0rker" },
      d1Databases: { DB: databaseId }, d1Persist: join(dir, "state", "v3", "d1"),
      // As wrangler.toml says: [assets] binding "ASSETS", run_worker_first.
      assets: { directory: join(repo, "dist", "dashboard"), binding: "ASSETS", routerConfig: { invoke_user_worker_ahead_of_assets: true, has_user_worker: true } },
    });
    try {
      const page = await withAssets.dispatchFetch("http://localhost/");
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain("flux-ts dashboard");
      const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)![1]!;
      const asset = await withAssets.dispatchFetch(`http://localhost/${script}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get("content-type")).toContain("javascript");
      await asset.arrayBuffer();
      expect((await withAssets.dispatchFetch("http://localhost/executions")).status).toBe(401);
      const listed = await withAssets.dispatchFetch("http://localhost/executions", { headers: { Authorization: "Bearer w0rker" } });
      expect(((await listed.json()) as { executions: unknown[] }).executions.length).toBeGreaterThan(0);
      const openapi = (await (await withAssets.dispatchFetch("http://localhost/openapi.json")).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(openapi.paths)).toContain("/");
    } finally {
      await withAssets.dispose();
    }
  });

  it("keeps values over 256 KiB in the R2 bucket bound as BLOBS, and the D1 log small", async () => {
    const withBlobs = new Miniflare({
      modules: true, script, compatibilityDate,
      d1Databases: { DB: databaseId }, d1Persist: join(dir, "state", "v3", "d1"),
      r2Buckets: ["BLOBS"], r2Persist: join(dir, "state", "v3", "r2"),
    });
    try {
      const name = "n".repeat(300 * 1024);
      const ran = await withBlobs.dispatchFetch("http://localhost/hello_world", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(name) });
      const body = (await ran.json()) as { execution_id: string; state: string; output: string };
      expect(body.state).toBe("succeeded");
      expect(body.output).toBe(`Hello, ${name}`);
      // The input, the task's arguments and its result (also the output: written once) are in R2.
      const bucket = await withBlobs.getR2Bucket("BLOBS");
      const listed = await bucket.list({ prefix: "flux-blobs/" });
      expect(listed.objects).toHaveLength(3);
      // The inspection reads them back; the log itself holds references only.
      const inspected = (await (await withBlobs.dispatchFetch(`http://localhost/inspect/${body.execution_id}`)).json()) as { input: string; events: { value: unknown }[] };
      expect(inspected.input).toBe(name);
      const raw = (await (await withBlobs.dispatchFetch(`http://localhost/executions/${body.execution_id}/events?encoding=flux`)).json()) as { events: { value: unknown }[] };
      expect(Math.max(...raw.events.map((event) => JSON.stringify(event.value).length))).toBeLessThan(200);
    } finally {
      await withBlobs.dispose();
    }
  });
});
