import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openPostgresStore, type PostgresStore } from "../adapters/postgres/index.js";
import { userProject } from "./cli-support.js";
import { startFlux, type FluxServer } from "./support/flux-server.js";
import { mostAtOnce, orderBreaks, type QueueTraceEntry } from "./support/queue-trace.js";
import { usePostgres } from "./support/use-postgres.js";

// Named queues across a fleet: three `flux start` processes on one PostgreSQL database. Starts
// are spread over the runners (HTTP, one after the other, so start order is total); each body's
// one step appends "begin" and "end" lines to a file shared by the processes (O_APPEND: the
// file's order is the order of the writes), and a sampler polls the store's count of executions
// of the queue that hold a slot. Never more than the limit at once, by either measure; all
// complete; admission keeps start order; perRunner and the rate window hold; a runner SIGKILLed
// while holding slots loses nothing and leaks no slot.
const postgres = usePostgres();

const workflows = `import { appendFileSync, existsSync } from "node:fs";
import { queue, task, workflow } from "flux-ts";
const log = process.env.QUEUE_LOG;
const gate = process.env.QUEUE_GATE;
// "mail" runs until the test opens its gate (a file), after every start was made: the backlog is
// there whatever the machine's load, and the limit is what holds it back; "killed" is slow
// enough that the runner killed holds its slots when it dies.
const work = task("work", async (q, index) => {
  appendFileSync(log, ["begin", q, index, process.pid, Date.now()].join(" ") + "\\n");
  if (q === "mail") while (!existsSync(gate)) await new Promise((resolve) => setTimeout(resolve, 20));
  else await new Promise((resolve) => setTimeout(resolve, q === "killed" ? 400 : 25));
  appendFileSync(log, ["end", q, index, process.pid, Date.now()].join(" ") + "\\n");
  return index;
});
const body = (q) => async (ctx) => ctx.run(work, q, ctx.input);
export const mail = workflow("mail", body("mail"), { queue: queue("mail", { concurrency: 5 }) });
export const per = workflow("per", body("per"), { queue: queue("per", { concurrency: 6, perRunner: 1 }) });
export const rated = workflow("rated", body("rated"), { queue: queue("rated", { concurrency: 10, rate: { limit: 3, per: 1500 } }) });
export const killed = workflow("killed", body("killed"), { queue: queue("killed", { concurrency: 4 }) });
`;

interface Line extends QueueTraceEntry {
  readonly queue: string;
  readonly pid: number;
  readonly time: number;
}

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

describe.skipIf(postgres.unavailable !== undefined)(`queues across a fleet of flux start on PostgreSQL${postgres.unavailable === undefined ? "" : ` (skipped: ${postgres.unavailable})`}`, () => {
  const cwd = userProject({ "flows/queues.mjs": workflows });
  const log = join(cwd, "queue.log");
  writeFileSync(log, "");
  const url = () => `${postgres.cluster().url()}?schema=queues`;
  const servers: FluxServer[] = [];
  let store: PostgresStore | undefined;
  afterAll(async () => {
    for (const server of servers) server.child.kill("SIGKILL");
    await store?.close();
  });

  const lines = (queue: string): Line[] => readFileSync(log, "utf8").split("\n").filter(Boolean).map((line) => {
    const [kind, q, index, pid, time] = line.split(" ");
    return { kind: kind as "begin" | "end", queue: q!, index: Number(index), pid: Number(pid), time: Number(time) };
  }).filter((line) => line.queue === queue);

  /**
   * The store's count of executions of `queue` holding a slot (admitted, not ended), sampled
   * until `stop`; resolves with the most seen, and the most seen waiting (the backlog).
   */
  const sample = (queue: string, stop: { done: boolean }) => (async () => {
    let most = 0;
    let backlog = 0;
    while (!stop.done) {
      const { executions } = await store!.list({ state: "running", limit: 1000 });
      const paused = (await store!.list({ state: "paused", limit: 1000 })).executions;
      most = Math.max(most, [...executions, ...paused].filter((s) => s.queue === queue).length);
      backlog = Math.max(backlog, (await store!.list({ state: "queued", limit: 1000 })).executions.filter((s) => s.queue === queue).length);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return { most, backlog };
  })();

  /** Starts `count` executions of `workflow` (input: index), one after the other, through the live runners in turn. */
  const startAll = async (workflow: string, count: number, live: readonly FluxServer[], prefix = workflow) => {
    for (let i = 0; i < count; i += 1) {
      const answer = await post(`${live[i % live.length]!.url}/${workflow}?wait=false&execution_id=${prefix}-${i}`, i);
      expect(answer.status, await answer.clone().text()).toBe(202);
      expect(((await answer.json()) as { state: string }).state).toBe("queued");
    }
  };

  const succeeded = async (workflow: string) => (await store!.list({ workflow, state: "succeeded", limit: 1000 })).executions.length;
  const waitFor = async (what: string, done: () => Promise<boolean>, timeout = 180_000) => {
    const deadline = Date.now() + timeout;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${servers.map((s) => s.output().slice(-1500)).join("\n---\n")}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it("200 starts on a queue of concurrency 5 across 3 runners: never more than 5 at once, all succeed, in start order", async () => {
    const gate = join(cwd, "mail.gate");
    const env = { FLUX_STORE_URL: url(), FLUX_LEASE_TTL_MS: "4000", QUEUE_LOG: log, QUEUE_GATE: gate };
    for (const name of ["r0", "r1", "r2"]) servers.push(await startFlux("flows", cwd, [], { ...env, FLUX_RUNNER_ID: name }));
    store = await openPostgresStore({ url: url(), poolSize: 3 });
    const stop = { done: false };
    const sampler = sample("mail", stop);
    let queuedAtGate = 0;
    try {
      await startAll("mail", 200, servers);
      // Nothing of "mail" can end before the gate opens: all but the 5 admitted wait their turn.
      await waitFor("5 of mail to run", async () => lines("mail").filter((line) => line.kind === "begin").length >= 5);
      queuedAtGate = (await store!.list({ workflow: "mail", state: "queued", limit: 1000 })).executions.length;
      writeFileSync(gate, "");
      await waitFor("all 200 to succeed", async () => (await succeeded("mail")) === 200);
    } finally {
      stop.done = true;
    }
    const { most: sampled, backlog } = await sampler;
    const trace = lines("mail");
    expect(trace.filter((line) => line.kind === "begin").length).toBe(200);
    expect(new Set(trace.map((line) => line.index)).size).toBe(200);
    expect(sampled).toBeLessThanOrEqual(5);
    expect(mostAtOnce(trace)).toBeLessThanOrEqual(5);
    expect(queuedAtGate, "the starts beyond the limit wait in the store as queued").toBe(195);
    expect(mostAtOnce(trace)).toBeGreaterThan(1);
    expect(orderBreaks(trace, 5)).toEqual([]);
    const pids = new Set(trace.map((line) => line.pid));
    expect(pids.size, "every runner ran some").toBe(3);
    console.log(`queue "mail": 200 on 3 runners, most at once ${mostAtOnce(trace)} (trace), ${sampled} (store samples), most waiting ${backlog} (195 at the gate); runs per runner: ${[...pids].map((pid) => trace.filter((l) => l.pid === pid && l.kind === "begin").length).join(", ")}`);
  }, 300_000);

  it("perRunner 1: no runner runs two at once, whatever the queue's concurrency", async () => {
    await startAll("per", 30, servers);
    await waitFor("all 30 to succeed", async () => (await succeeded("per")) === 30);
    const trace = lines("per");
    for (const pid of new Set(trace.map((line) => line.pid))) expect(mostAtOnce(trace.filter((line) => line.pid === pid))).toBe(1);
    expect(mostAtOnce(trace)).toBeLessThanOrEqual(3);
    expect(orderBreaks(trace, 3)).toEqual([]);
  }, 300_000);

  it("rate 3 per 1.5 s: no window of 1.5 s holds more than 3 admissions", async () => {
    await startAll("rated", 9, servers);
    await waitFor("all 9 to succeed", async () => (await succeeded("rated")) === 9);
    const client = await import("pg").then((pg) => new pg.default.Client({ connectionString: postgres.cluster().url() }));
    await client.connect();
    try {
      const { rows } = await client.query("SELECT admitted_at FROM queues.executions WHERE queue = 'rated' ORDER BY admitted_at");
      const times = rows.map((row: { admitted_at: number }) => Number(row.admitted_at));
      expect(times.length).toBe(9);
      for (let i = 0; i + 3 < times.length; i += 1) expect(times[i + 3]! - times[i]!, `admissions ${i} and ${i + 3}`).toBeGreaterThanOrEqual(1500);
    } finally {
      await client.end();
    }
    expect(lines("rated").map((line) => line.index).filter((_, i, all) => all.indexOf(_) === i).length).toBe(9);
  }, 300_000);

  it("a runner SIGKILLed while holding slots: its executions keep their slots until recovered, none is lost, the limit holds", async () => {
    const stop = { done: false };
    const sampler = sample("killed", stop);
    try {
      await startAll("killed", 60, servers);
      const victim = servers[0]!;
      const holds = async () => (await store!.list({ state: "running", limit: 1000 })).executions.filter((s) => s.queue === "killed" && s.lease?.owner === "r0").length;
      let held = 0;
      await waitFor("the first runner to hold slots of the queue", async () => (held = await holds()) > 0);
      victim.child.kill("SIGKILL");
      await victim.exited;
      // Its slots are still held, by leases that lapse: recovery, not a new admission, runs them.
      expect(await holds(), "the SIGKILL met no slot held: kill earlier").toBeGreaterThan(0);
      await waitFor("all 60 to succeed", async () => (await succeeded("killed")) === 60);
      console.log(`queue "killed": SIGKILL of a runner holding ${held} slot(s); all 60 succeeded`);
    } finally {
      stop.done = true;
    }
    expect((await sampler).most).toBeLessThanOrEqual(4);
    const trace = lines("killed");
    expect(new Set(trace.map((line) => line.index)).size).toBe(60);
    // Nothing waits or holds a slot any more: no slot leaked.
    for (const state of ["queued", "running", "paused"] as const) {
      expect((await store!.list({ state, limit: 1000 })).executions.filter((s) => s.queue === "killed")).toEqual([]);
    }
  }, 300_000);
});
