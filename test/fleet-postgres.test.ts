import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openPostgresStore, type PostgresStore } from "../adapters/postgres/index.js";
import { userProject } from "./cli-support.js";
import { startFlux, type FluxServer } from "./support/flux-server.js";
import { usePostgres } from "./support/use-postgres.js";

// A fleet: three `flux start` processes on one PostgreSQL database share N executions with
// subworkflows, durable sleeps (held, and suspended past the server's 10 s), events and pauses,
// started, sent to and resumed through all three. One runner is SIGKILLed mid-way and another
// is stopped and started again: every execution completes, no step body runs twice except the
// documented in-flight window of the killed runner, and every runner took a share.
// FLUX_TEST_FULL=1 runs 1,000 executions; the default 150 keeps the suite fast.
const postgres = usePostgres();
const full = process.env["FLUX_TEST_FULL"] === "1";
const N = full ? 1000 : 150;

const workflows = `import { appendFileSync } from "node:fs";
import { task, workflow } from "flux-ts";
const log = process.env.FLEET_LOG;
// Every run of a step body leaves a line: which process ran which step of which execution.
const work = task("work", async (executionId, step) => {
  appendFileSync(log, process.pid + " " + executionId + " " + step + "\\n");
  await new Promise((resolve) => setTimeout(resolve, 20));
  return step;
});
export const item = workflow("item", async (ctx) => {
  await ctx.run(work, ctx.executionId, "item");
  await ctx.sleep(50);
  return ctx.input * 2;
});
export const order = workflow("order", async (ctx) => {
  await ctx.run(work, ctx.executionId, "a");
  const doubled = (await ctx.map(item, [1, 2])).map((child) => child.output);
  await ctx.sleep(ctx.input.sleep);
  const go = await ctx.waitForEvent("go");
  const approved = await ctx.pause("approve");
  await ctx.run(work, ctx.executionId, "b");
  return { doubled, go, approved };
});
`;

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

/** `fn` over `items`, `limit` at a time. */
async function each<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

describe.skipIf(postgres.unavailable !== undefined)(`a fleet of flux start on PostgreSQL${postgres.unavailable === undefined ? "" : ` (skipped: ${postgres.unavailable})`}`, () => {
  const cwd = userProject({ "flows/fleet.mjs": workflows });
  const log = join(cwd, "steps.log");
  writeFileSync(log, "");
  let store: PostgresStore | undefined;
  afterAll(async () => {
    await store?.close();
  });

  it(`runs ${N} executions on 3 runners, through a SIGKILL and a restart, each step once but the killed runner's in-flight ones`, async () => {
    const url = `${postgres.cluster().url()}?schema=fleet`;
    const env = { FLUX_STORE_URL: url, FLUX_LEASE_TTL_MS: "4000", FLEET_LOG: log };
    const start = (name: string) => startFlux("flows", cwd, [], { ...env, FLUX_RUNNER_ID: name });
    const servers: FluxServer[] = [await start("r0"), await start("r1"), await start("r2")];
    const original = servers.map((server) => server.child.pid!);
    store = await openPostgresStore({ url, poolSize: 3 });
    const live = new Set(servers);
    let turn = 0;
    /** POSTs to the live runners in turn, trying the next one when one is gone, stopping, or answers 409. */
    const send = async (path: string, body: unknown) => {
      for (let attempt = 0; attempt < 50; attempt += 1) {
        const server = [...live][turn++ % live.size]!;
        const answer = await post(`${server.url}${path}`, body).catch(() => undefined);
        // 409: another runner holds the execution for a moment (it claimed it to look at a wake
        // that a resume or an event made stale): try again, as a client of a fleet does.
        if (answer !== undefined && answer.status < 500 && answer.status !== 409) {
          if (answer.status >= 300) throw new Error(`POST ${path} answered ${answer.status}: ${await answer.text()}`);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`POST ${path} failed on every runner`);
    };
    const ids = Array.from({ length: N }, (_, i) => `o-${i}`);
    const began = Date.now();
    // Start through all three (a quarter sleeps past the server's 10 s: suspended, woken by a
    // timer on whichever runner), and send each its event through another.
    await each(ids, 30, (id) => send(`/order?wait=false&execution_id=${id}`, { sleep: Number(id.slice(2)) % 4 === 0 ? 10_500 : 1_000 }));
    await each(ids, 30, (id) => send(`/order/${id}/events/go`, Number(id.slice(2))));

    const awaitingApproval = async () => {
      const ready: string[] = [];
      for (let cursor: string | undefined; ;) {
        const page = await store!.list({ workflow: "order", state: "paused", limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
        for (const s of page.executions) if (s.waits?.some((w) => w.kind === "pause" && w.name === "approve")) ready.push(s.executionId);
        if (page.nextCursor === undefined) return ready;
        cursor = page.nextCursor;
      }
    };
    const resumed = new Set<string>();
    const resumeReady = async () => {
      const ready = (await awaitingApproval()).filter((id) => !resumed.has(id));
      for (const id of ready) resumed.add(id);
      await each(ready, 20, (id) => send(`/order/${id}`, "ok").catch((error: unknown) => {
        resumed.delete(id);
        throw error;
      }));
    };
    const deadline = Date.now() + (full ? 900_000 : 240_000);
    const waitUntil = async (what: string, done: () => Promise<boolean>) => {
      while (!(await done())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${servers.map((s) => s.output().slice(-2000)).join("\n---\n")}`);
        await resumeReady();
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };

    // Mid-way, with steps in flight: SIGKILL the first runner.
    const holdsOfR0 = async () => (await store!.list({ state: "running", limit: 1000 })).executions.filter((s) => s.lease?.owner === "r0").length;
    await waitUntil("a tenth of the executions to reach their approval", async () => (await awaitingApproval()).length + resumed.size >= N / 10);
    await waitUntil("the first runner to be running executions (a held sleep lasts 1 s)", async () => (await holdsOfR0()) >= 3);
    const killed = servers[0]!;
    live.delete(killed);
    killed.child.kill("SIGKILL");
    await killed.exited;
    // What it was running when it died: its leases are still there, until they lapse.
    const running = await store.list({ state: "running", limit: 1000 });
    const interrupted = running.executions.filter((s) => s.lease?.owner === "r0").map((s) => s.executionId);
    expect(interrupted.length, "the SIGKILL interrupted nothing: kill earlier").toBeGreaterThan(0);
    // Later: stop the second one gracefully and start it again.
    await waitUntil("half of them to be resumed", async () => resumed.size >= N / 2);
    const restarted = servers[1]!;
    live.delete(restarted);
    restarted.child.kill("SIGTERM");
    expect((await restarted.exited).code).toBe(0);
    const again = await start("r1b");
    servers.push(again);
    live.add(again);

    const count = async () => {
      let total = 0;
      for (let cursor: string | undefined; ;) {
        const page = await store!.list({ workflow: "order", state: "succeeded", limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
        total += page.executions.length;
        if (page.nextCursor === undefined) return total;
        cursor = page.nextCursor;
      }
    };
    await waitUntil(`all ${N} executions to succeed`, async () => (await count()) >= N);
    const seconds = (Date.now() - began) / 1000;

    for (const id of ids.slice(0, 20)) {
      const summary = await store.get(id);
      expect(summary?.state).toBe("succeeded");
    }
    const children = await store.list({ workflow: "item", limit: 1000 });
    expect(children.executions.every((child) => child.state === "succeeded")).toBe(true);
    for (const id of interrupted) expect((await store.get(id))?.state).toBe("succeeded");

    // Step bodies: each ran once, except where the killed runner was running it when it died.
    const runs = new Map<string, number[]>();
    for (const line of readFileSync(log, "utf8").split("\n").filter(Boolean)) {
      const [pid, id, step] = line.split(" ");
      const key = `${id} ${step}`;
      runs.set(key, [...(runs.get(key) ?? []), Number(pid)]);
    }
    expect(runs.size).toBe(N * 2 + N * 2); // a and b of each order, one per item (2 per order)
    const twice = [...runs].filter(([, pids]) => pids.length > 1);
    const unexplained = twice.filter(([, pids]) => pids.slice(0, -1).some((pid) => pid !== killed.child.pid));
    expect(unexplained).toEqual([]);
    const share = new Map<number, number>();
    for (const pids of runs.values()) for (const pid of pids) share.set(pid, (share.get(pid) ?? 0) + 1);
    for (const pid of original) expect(share.get(pid) ?? 0, `runner ${pid} ran no step`).toBeGreaterThan(0);

    const stepRuns = [...runs.values()].reduce((sum, pids) => sum + pids.length, 0);
    console.log([
      `fleet on PostgreSQL: ${N} executions (+${N * 2} subworkflows) on 3 runners, one SIGKILLed, one restarted: all succeeded in ${seconds.toFixed(1)} s (${(N / seconds).toFixed(1)} executions/s)`,
      `  the SIGKILL interrupted ${interrupted.length} running executions (recovered by the others once their leases lapsed)`,
      `  step bodies: ${runs.size} steps, ${stepRuns} runs; run again after the SIGKILL (in flight in the killed runner): ${twice.length}`,
      `  share of step runs: ${[...share].map(([pid, n]) => `${pid === killed.child.pid ? "killed" : pid === restarted.child.pid ? "restarted" : pid === again.child.pid ? "restarted (new)" : "kept"} ${n}`).join(", ")}`,
    ].join("\n"));
  }, full ? 1_000_000 : 300_000);
});
