// Concurrent resumes of one execution on D1, in workerd: each request goes to its own engine and
// router (as on different isolates of a deployed Worker), so only D1 (the lease, the commit's
// expected sequence) can keep two of them from proceeding. The step after the pause holds the
// winner until every other resume was answered: the resumes overlap by construction.
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { D1Store, type D1DatabaseLike } from "../adapters/d1/index.js";
import { bundleFixture } from "./support/bundle-fixture.js";

let mf: Miniflare;

beforeAll(async () => {
  mf = new Miniflare({ modules: true, script: await bundleFixture("contended-d1-worker.ts"), d1Databases: { DB: "flux-contended" }, compatibilityDate: "2026-04-01" });
  await new D1Store(await mf.getD1Database("DB") as unknown as D1DatabaseLike).ready();
}, 60_000);
afterAll(() => mf?.dispose());

async function call(path: string, init: { body?: string; isolate?: number } = {}) {
  const res = await mf.dispatchFetch(`http://localhost${path}`, {
    method: init.body === undefined ? "GET" : "POST",
    headers: { "Content-Type": "application/json", "X-Isolate": String(init.isolate ?? 0) },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function until(what: string, probe: () => Promise<boolean> | boolean, timeout = 20_000): Promise<void> {
  for (const started = Date.now(); !(await probe()); await new Promise((r) => setTimeout(r, 5))) {
    if (Date.now() - started > timeout) throw new Error(`timed out waiting for ${what}`);
  }
}

describe("concurrent resumes on D1 in workerd", () => {
  it("answers 200 to exactly one of N = 2..8 resumes and 409 to the others; no body runs twice", async () => {
    const report: string[] = [];
    for (let n = 2; n <= 8; n++) {
      await call("/__reset");
      const paused = await call("/contended", { body: "null" });
      expect(paused.body.state).toBe("paused");
      const id = paused.body.execution_id as string;
      const answered: number[] = [];
      const requests = Array.from({ length: n }, (_, i) =>
        call(`/contended/${id}`, { body: JSON.stringify(`i${i + 1}`), isolate: i + 1 }).then((r) => (answered.push(r.status), r)));
      await until(`${n - 1} answers`, () => answered.length >= n - 1);
      await until("the winner in the step after the pause", async () => (await call("/__stats")).body.after === 1);
      await call("/__release");
      const results = await Promise.all(requests);

      const statuses = results.map((r) => r.status);
      expect([...statuses].sort(), JSON.stringify(results)).toEqual([200, ...Array(n - 1).fill(409)]);
      const winner = statuses.indexOf(200);
      expect(results[winner]!.body).toMatchObject({ state: "succeeded", output: `approved by i${winner + 1}` });
      for (const r of results.filter((x) => x.status === 409)) expect(r.body.error).toMatchObject({ name: "ConflictError", code: "CONFLICT" });
      expect((await call("/__stats")).body).toMatchObject({ before: 1, after: 1 });
      const inspected = await call(`/inspect/${id}`);
      const events = inspected.body.events as { id: number; type: string }[];
      expect(events.map((e) => e.type)).toEqual([
        "WORKFLOW_STARTED", "TASK_STARTED", "TASK_COMPLETED", "TASK_PAUSED", "WORKFLOW_PAUSED",
        "TASK_RESUMED", "WORKFLOW_RESUMED", "TASK_STARTED", "TASK_COMPLETED", "WORKFLOW_COMPLETED",
      ]);
      expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i));
      report.push(`  N=${n}: statuses ${statuses.join(", ")}`);
    }
    console.log(`N concurrent resumes of one execution on D1 (workerd), one engine per request:\n${report.join("\n")}`);
  }, 60_000);
});
