// `npm run bench:worker`: flux-ts on Durable Objects vs flux-ts on D1 vs Cloudflare Workflows, in
// ONE local `wrangler dev` (bench/worker-hosts/: one Worker serving all three), alternating runs.
// Prints ms per step of N sequential no-op steps (median of --runs, min–max) with ratios, the
// queries of the object's invocations for a long run, and the wake delay of a durable sleep in
// each flux-ts host (the object's alarm; D1's Cron Trigger, fired at the next whole minute as
// Cloudflare fires `* * * * *`). Figures, never assertions.
//
//   npm run bench:worker                       # N = 1,000, 5 runs each
//   npm run bench:worker -- --steps 500 --runs 3 --long 5000
// (Leave the sources alone while it runs: wrangler dev reloads the Worker on every change.)
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startProcess } from "./peers/child-process.js";
import { freePort, waitFor } from "./peers/ports.js";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const steps = option("steps", 1000);
const runs = option("runs", 5);
const longSteps = option("long", 5000);
const sleepMs = 2000;
const pollMs = 25;

const config = fileURLToPath(new URL("./worker-hosts/wrangler.toml", import.meta.url));
const wranglerBin = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");
const port = await freePort();
const state = mkdtempSync(join(tmpdir(), "flux-bench-hosts-"));
const server = startProcess(process.execPath, [wranglerBin, "dev", "--config", config, "--ip", "127.0.0.1", "--port", String(port), "--persist-to", state, "--test-scheduled", "--inspector-port", String(await freePort())], {
  env: { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_HIDE_BANNER: "true", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true" },
});
const base = `http://127.0.0.1:${port}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One request on a connection of its own (no keep-alive: a kept-alive connection to wrangler dev
 * sometimes never delivers a response it logged as sent), answered as JSON. A request wrangler
 * dev dropped (it reloads the Worker on any source change) fails after 120 s instead of hanging.
 */
function json(path: string, init: { method?: string; body?: string; timeout?: number } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const timeout = init.timeout ?? 120_000;
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: init.method ?? "GET", agent: false, timeout, headers: { "Content-Type": "application/json" } }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (text += chunk)).on("end", () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> });
        } catch (error) {
          reject(error);
        }
      });
    });
    req.on("timeout", () => req.destroy(new TimeoutError(`no answer to ${path} within ${timeout / 1000} s`))).on("error", reject);
    req.end(init.body);
  });
}
class TimeoutError extends Error {}

const post = (path: string, body: unknown) => json(path, { method: "POST", body: JSON.stringify(body) });

/** The state the directory lists for an execution of the object host (no request reaches its object). */
async function listedState(workflow: string, id: string): Promise<string | undefined> {
  const { body } = await json(`/do/executions?workflow=${workflow}&limit=50`);
  return (body.executions as { execution_id: string; state: string }[]).find((e) => e.execution_id === id)?.state;
}

async function untilDone(what: string, probe: () => Promise<boolean>): Promise<void> {
  for (const started = Date.now(); !(await probe()); await sleep(pollMs)) {
    if (Date.now() - started > 600_000) throw new Error(`timed out waiting for ${what}`);
  }
}

/** One run of N steps on a host; seconds from the request to its end (polled every 25 ms when it answers before). */
const hosts: Record<string, (n: number) => Promise<number>> = {
  "flux-ts, Durable Object (SQLite in the object)": async (n) => {
    const start = performance.now();
    const { status, body } = await post("/do/sequential", n);
    if (status === 202) await untilDone("the object's run", async () => (await listedState("sequential", body.execution_id as string)) === "succeeded");
    else if (body.output !== n) throw new Error(`the object answered ${status} ${JSON.stringify(body)}`);
    return (performance.now() - start) / 1000;
  },
  "flux-ts, D1 (one database)": async (n) => {
    const start = performance.now();
    const { body } = await post("/d1/sequential", n);
    if (body.output !== n) throw new Error(`D1 answered ${JSON.stringify(body)}`);
    return (performance.now() - start) / 1000;
  },
  "Cloudflare Workflows (step.do)": async (n) => {
    const start = performance.now();
    const { body } = await json(`/cf/start?steps=${n}`);
    for (;;) {
      // wrangler dev's local Workflows sometimes never answers a status request: ask again.
      const status = (await json(`/cf/status?id=${encodeURIComponent(body.id as string)}`, { timeout: 10_000 }).catch((error: unknown) => {
        if (error instanceof TimeoutError) return { body: { status: "unanswered" } };
        throw error;
      })).body;
      if (status.status === "complete") return (performance.now() - start) / 1000;
      if (status.status === "errored" || status.status === "terminated") throw new Error(`the workflow ${String(status.status)}`);
      await sleep(pollMs);
    }
  },
};

/** How late a durable sleep of `sleepMs` woke: its recorded resume minus its due time. */
async function wakeDelay(prefix: "/do" | "/d1", fire: () => Promise<void>): Promise<number> {
  const { body } = await post(`${prefix}/sleeper`, sleepMs);
  if (body.state !== "paused") throw new Error(`the sleep did not suspend: ${JSON.stringify(body)}`);
  await fire();
  const id = body.execution_id as string;
  await untilDone("the wake", async () => (prefix === "/do" ? (await listedState("sleeper", id)) === "succeeded" : (await json(`${prefix}/inspect/${id}`)).body.state === "succeeded"));
  const events = (await json(`${prefix}/inspect/${id}`)).body.events as { type: string; value: unknown; time: string }[];
  const started = events.find((e) => e.type === "TASK_STARTED" && typeof e.value === "object" && e.value !== null && "sleep" in e.value)!;
  const resumed = events.find((e) => e.type === "WORKFLOW_RESUMED")!;
  return Date.parse(resumed.time) - (Date.parse(started.time) + sleepMs);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number) => x.toFixed(x < 10 ? 2 : 1);

try {
  await waitFor("wrangler dev to serve", async () => {
    if (server.process.exitCode !== null) throw new Error(`wrangler dev exited: ${server.output()}`);
    return (await fetch(`${base}/nothing`)).status === 404;
  }, 120_000, 250);
  const samples = new Map<string, number[]>(Object.keys(hosts).map((name) => [name, []]));
  for (const run of Object.values(hosts)) await run(steps); // warm-up
  for (let i = 0; i < runs; i += 1) {
    for (const [name, run] of Object.entries(hosts)) samples.get(name)!.push(((await run(steps)) * 1000) / steps);
  }
  const cf = median(samples.get("Cloudflare Workflows (step.do)")!);
  console.log(`\nN = ${steps} sequential no-op steps, ${runs} runs each (after a warm-up), alternating, one wrangler dev (${new Date().toISOString()})\n`);
  console.log("| Host | ms/step (median) | min–max | vs Cloudflare Workflows |");
  console.log("|---|---|---|---|");
  for (const [name, xs] of samples) {
    const m = median(xs);
    console.log(`| ${name} | ${fmt(m)} | ${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))} | ${(m / cf).toFixed(2)}× the time (${(cf / m).toFixed(1)}× as fast) |`);
  }

  await json("/do-invocations");
  const long = await hosts["flux-ts, Durable Object (SQLite in the object)"]!(longSteps);
  const reports = (await json("/do-invocations")).body as unknown as { kind: string; queries: number; yielded: boolean }[];
  const mine = reports.filter((r) => r.queries > 0);
  console.log(`\n${longSteps} steps in a Durable Object: ${fmt(long)} s, ${mine.length} invocations (${mine.filter((r) => r.kind === "alarm").length} alarms), ` +
    `at most ${Math.max(...mine.map((r) => r.queries))} queries in one (budget 500; Cloudflare's limit 1,000)`);

  const doLate = await wakeDelay("/do", async () => undefined);
  const d1Late = await wakeDelay("/d1", async () => {
    // Cloudflare fires `* * * * *` at each whole minute: fire it then.
    const now = Date.now();
    await sleep(Math.ceil((now + sleepMs) / 60_000) * 60_000 - now);
    await fetch(`${base}/__scheduled?cron=${encodeURIComponent("* * * * *")}`).then((res) => res.text());
  });
  console.log(`\nWake delay of a ${sleepMs / 1000} s durable sleep (recorded resume − due time):`);
  console.log(`| Durable Object (alarm at the wake time) | ${doLate} ms |`);
  console.log(`| D1 (Cron Trigger, every minute)         | ${d1Late} ms (0–60 s by design: the next whole minute) |`);
} catch (error) {
  console.error(`wrangler dev said (last 3,000 characters):\n${server.output().slice(-3000)}`);
  throw error;
} finally {
  await server.stop();
  rmSync(state, { recursive: true, force: true });
}
