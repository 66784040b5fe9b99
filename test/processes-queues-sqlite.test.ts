import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openSqliteStore } from "../adapters/sqlite/index.js";
import type { StateStore } from "../src/state-store.js";
import { userProject } from "./cli-support.js";
import { startFlux, type FluxServer } from "./support/flux-server.js";
import { mostAtOnce, orderBreaks, type QueueTraceEntry } from "./support/queue-trace.js";

// The queue semantics of the fleet test (test/fleet-queues-postgres.test.ts) on one SQLite file
// shared by two `flux start` processes: SQLite has no notifications, so a process learns of a
// slot another one freed at its poll; the limit and the order hold all the same, because
// admission is one statement in one write transaction of the file.
const workflows = `import { appendFileSync } from "node:fs";
import { queue, task, workflow } from "flux-ts";
const log = process.env.QUEUE_LOG;
const work = task("work", async (index) => {
  appendFileSync(log, ["begin", index, process.pid].join(" ") + "\\n");
  await new Promise((resolve) => setTimeout(resolve, 100));
  appendFileSync(log, ["end", index, process.pid].join(" ") + "\\n");
  return index;
});
export const jobs = workflow("jobs", async (ctx) => ctx.run(work, ctx.input), { queue: queue("jobs", { concurrency: 3 }) });
`;

describe("a queue shared by two flux start processes on one SQLite file", () => {
  const cwd = userProject({ "flows/jobs.mjs": workflows });
  const log = join(cwd, "queue.log");
  writeFileSync(log, "");
  const servers: FluxServer[] = [];
  let store: StateStore | undefined;
  afterAll(async () => {
    for (const server of servers) server.child.kill("SIGKILL");
    await store?.close();
  });

  it("40 starts, concurrency 3: never more than 3 at once, all succeed, in start order, both processes take a share", async () => {
    const env = { QUEUE_LOG: log };
    servers.push(await startFlux("flows", cwd, [], env), await startFlux("flows", cwd, [], env));
    for (let i = 0; i < 40; i += 1) {
      const answer = await fetch(`${servers[i % 2]!.url}/jobs?wait=false&execution_id=j-${i}`, {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(i),
      });
      expect(answer.status, await answer.clone().text()).toBe(202);
    }
    store = await openSqliteStore(join(cwd, ".flux", "flux.db"));
    const deadline = Date.now() + 120_000;
    while ((await store.list({ workflow: "jobs", state: "succeeded", limit: 100 })).executions.length < 40) {
      if (Date.now() > deadline) throw new Error(`timed out\n${servers.map((s) => s.output().slice(-1500)).join("\n---\n")}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const trace = readFileSync(log, "utf8").split("\n").filter(Boolean).map((line) => {
      const [kind, index, pid] = line.split(" ");
      return { kind: kind as QueueTraceEntry["kind"], index: Number(index), pid: Number(pid) };
    });
    expect(new Set(trace.map((entry) => entry.index)).size).toBe(40);
    expect(mostAtOnce(trace)).toBeLessThanOrEqual(3);
    expect(orderBreaks(trace, 3)).toEqual([]);
    expect(new Set(trace.map((entry) => entry.pid)).size).toBe(2);
  }, 180_000);
});
