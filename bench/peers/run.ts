/**
 * `npm run bench:peers`: the same workloads on flux-ts and on its peers, in one run, and the
 * ratios:
 * - throughput: one new execution of N sequential no-op durable steps (default 1,000);
 * - hello-world latency: a one-step workflow, one request at a time on one connection
 *   (`--hello` of them, default 200, each with a deadline of `--hello-timeout` s, default 10),
 *   p50 and p99;
 * - fsyncs: the fsync and fdatasync calls of the engine's processes (strace attached for one
 *   more run of `--fsync-steps` steps, default 200, and for 20 hello-world runs), per step and
 *   per execution: what each engine makes durable, and how often.
 *
 * The peers are installed on demand into `bench/peers/node_modules` (their own package.json,
 * never flux-ts's dependencies). Each engine runs alone (started, one warm-up run, the
 * samples, stopped: no other engine's idle servers running meanwhile), and flux-ts runs
 * before the first peer and after each one: a peer's ratio is the median of the flux-ts
 * samples on either side of it over the peer's median. A peer that cannot start here is
 * reported as such; the others still run. The load average is printed with each block.
 *
 * Every start, run and stop has a deadline (`--timeout S`, default 120 s per run, 180 s to start):
 * a peer that stops answering (a Cloudflare instance whose `status()` never returns, say) is
 * reported as hung, stopped, and the others still run.
 *
 * Options: `--steps N` (default 1000), `--runs N` (default 5), `--only <name part>` (repeatable),
 * `--timeout S` (default 120), `--hello N`, `--hello-timeout S`, `--fsync-steps N`.
 */
import { execFileSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { formatFigure, summarize } from "../lib/stats.js";
import { cloudflare } from "./cloudflare.js";
import { withDeadline } from "./deadline.js";
import { dbos } from "./dbos.js";
import { fluxHttp } from "./flux-http.js";
import { fluxTs } from "./flux.js";
import { countFsyncs, fsyncsUnavailable } from "./fsyncs.js";
import { peersDir, peersInstalled } from "./peer-modules.js";
import type { Peer, PeerSession } from "./peer.js";
import { restate } from "./restate.js";
import { percentile, printTable } from "./table.js";

/** Each peer with the factor flux-ts aims to beat it by, per sequential step. */
const peers: readonly { peer: Peer; goal?: number }[] = [
  { peer: fluxTs },
  { peer: fluxHttp },
  { peer: cloudflare, goal: 5 },
  { peer: restate, goal: 3 },
  { peer: dbos, goal: 3 },
];

function option(name: string): string[] {
  return process.argv.flatMap((arg, i) => (arg === name && process.argv[i + 1] !== undefined ? [process.argv[i + 1]!] : []));
}

const steps = Number(option("--steps")[0] ?? 1_000);
const runs = Number(option("--runs")[0] ?? 5);
const only = option("--only");
const runTimeoutMs = Number(option("--timeout")[0] ?? 120) * 1000;
const startTimeoutMs = Math.max(runTimeoutMs, 180_000);
const hellos = Number(option("--hello")[0] ?? 200);
const helloTimeoutMs = Number(option("--hello-timeout")[0] ?? 10) * 1000;
const fsyncSteps = Number(option("--fsync-steps")[0] ?? 200);
const noStrace = fsyncsUnavailable();
const selected = peers.filter(({ peer }) => peer === fluxTs || only.length === 0 || only.some((part) => peer.name.toLowerCase().includes(part.toLowerCase())));

if (!peersInstalled()) {
  console.log(`installing the peers into ${peersDir}node_modules (npm install --prefix bench/peers) …`);
  execFileSync("npm", ["install", "--prefix", peersDir, "--no-audit", "--no-fund", "--loglevel=error"], { stdio: "inherit" });
}

console.log(`peers — ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model ?? "?"}, Node ${process.versions.node} — ${steps} sequential no-op steps, ${runs} runs after 1 warm-up`);
const failures = new Map<Peer, string>();
const samples = new Map<Peer, number[]>();
/** The flux-ts samples taken just before and just after each peer's block. */
const brackets = new Map<Peer, number[]>();
/** Each hello-world run's latency (ms), its failure (a hung call), and the flux-ts latencies on either side. */
const hello = new Map<Peer, number[]>();
const helloFailures = new Map<Peer, string>();
const helloBrackets = new Map<Peer, number[]>();
/** fsync + fdatasync calls per step (sequential run) and per hello-world execution, or why not counted. */
const fsyncs = new Map<Peer, { perStep: number; perHello: number } | string>();
const loads = new Map<Peer, string[]>();

const load = () => loadavg().map((value) => value.toFixed(1)).join(" ");
const reasonOf = (error: unknown) => (error instanceof Error ? error.message.split("\n")[0]! : String(error));

/** Starts `peer`, warms it up, takes `runs` samples, the hello-world latencies and the fsync counts, stops it: alone. */
async function measure(peer: Peer): Promise<{ rates: number[]; latencies: number[] }> {
  process.stdout.write(`  ${peer.name} (load ${load()}) … `);
  let session: PeerSession | undefined;
  const taken: number[] = [];
  const latencies: number[] = [];
  try {
    session = await withDeadline(peer.start(), startTimeoutMs, `starting ${peer.name}`);
    const run = (which: string, n = steps) => withDeadline(session!.run(n), runTimeoutMs, `to ${which} of ${n} steps`);
    await run("the warm-up run");
    for (let i = 0; i < runs; i += 1) taken.push(steps / (await run(`run ${i + 1}`)));
    samples.set(peer, [...(samples.get(peer) ?? []), ...taken]);
    process.stdout.write(`${taken.map((value) => formatFigure(value)).join(", ")} steps/s; `);
    try {
      await withDeadline(session.run(1), helloTimeoutMs, "a hello-world warm-up call");
      for (let i = 0; i < hellos; i += 1) latencies.push(1000 * (await withDeadline(session.run(1), helloTimeoutMs, `hello-world call ${i + 1} of ${hellos}`)));
      hello.set(peer, [...(hello.get(peer) ?? []), ...latencies]);
      process.stdout.write(`hello p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms; `);
    } catch (error) {
      helloFailures.set(peer, `hung or failed: ${reasonOf(error)}`);
    }
    if (!fsyncs.has(peer)) fsyncs.set(peer, await countedFsyncs(session, run));
    const counted = fsyncs.get(peer)!;
    console.log(typeof counted === "string" ? counted : `fsyncs ${counted.perStep.toFixed(2)}/step, ${counted.perHello.toFixed(2)}/hello-world`);
  } catch (error) {
    failures.set(peer, reasonOf(error));
    console.log(`cannot run here: ${reasonOf(error)}`);
  } finally {
    loads.set(peer, [...(loads.get(peer) ?? []), load()]);
    if (session !== undefined) await withDeadline(session.stop(), 60_000, `stopping ${peer.name}`).catch(() => undefined);
    // Let the removal of its files (journal commits) and its exit settle before the next block.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  return { rates: taken, latencies };
}

/** strace on the session's processes over one run of `fsyncSteps` steps, then over 20 hello-world runs. */
async function countedFsyncs(session: PeerSession, run: (which: string, n?: number) => Promise<number>): Promise<{ perStep: number; perHello: number } | string> {
  if (noStrace !== undefined) return `not counted: ${noStrace}`;
  try {
    const pids = [...new Set(session.processes())];
    const sequential = await countFsyncs(pids, () => run("the fsync-counted run", fsyncSteps));
    const hellosCounted = await countFsyncs(pids, async () => {
      for (let i = 0; i < 20; i += 1) await withDeadline(session.run(1), helloTimeoutMs * 5, "a fsync-counted hello-world call");
    });
    return { perStep: sequential.calls / fsyncSteps, perHello: hellosCounted.calls / 20 };
  } catch (error) {
    return `not counted: ${reasonOf(error)}`;
  }
}

// flux-ts runs before the first peer and after each one (A B A C A D A): each peer is compared
// with the flux-ts blocks on either side of it, so the drift of a shared machine over the run
// weighs on both sides of each ratio alike.
let before = await measure(fluxTs);
for (const { peer } of selected) {
  if (peer === fluxTs) continue;
  await measure(peer);
  const after = await measure(fluxTs);
  brackets.set(peer, [...before.rates, ...after.rates]);
  helloBrackets.set(peer, [...before.latencies, ...after.latencies]);
  before = after;
}

const fsyncCells = (peer: Peer): [string, string] => {
  const counted = fsyncs.get(peer);
  if (counted === undefined) return ["—", "—"];
  if (typeof counted === "string") return [counted, counted];
  return [counted.perStep.toFixed(2), counted.perHello.toFixed(2)];
};
console.log();
printTable(["Engine", "Steps/s (median)", "Min–max", "ms/step", "flux-ts ÷ it (†)", "Goal", "Result", "fsyncs/step", "Load avg (per block)", "Setup"], selected.map(({ peer, goal }) => {
  const list = samples.get(peer) ?? [];
  const loadCell = (loads.get(peer) ?? []).join("; ");
  if (list.length === 0 || failures.has(peer)) return [peer.name, "—", "—", "—", "—", goal === undefined ? "" : `≥ ${goal}×`, "N/A", "—", loadCell, `could not run: ${failures.get(peer) ?? "no samples"}`];
  const s = summarize(list);
  const around = brackets.get(peer) ?? [];
  const ratio = peer === fluxTs || around.length === 0 ? undefined : summarize(around).median / s.median;
  const result = goal === undefined || ratio === undefined ? "" : ratio >= goal ? "MET" : "MISSED";
  return [peer.name, formatFigure(s.median), `${formatFigure(s.min)}–${formatFigure(s.max)}`, (1000 / s.median).toFixed(3), ratio === undefined ? "" : `${ratio.toFixed(1)}×`, goal === undefined ? "" : `≥ ${goal}×`, result, fsyncCells(peer)[0], loadCell, peer.setup];
}));
console.log("(†) the median of the flux-ts samples taken just before and just after the peer's block, over the peer's median");
console.log(`fsyncs/step: fsync + fdatasync calls of the engine's processes (strace -f -c) over one more run of ${fsyncSteps} steps, divided by ${fsyncSteps}`);
console.log();
printTable(["Engine", "Hello world p50 (ms)", "p99 (ms)", "max (ms)", "it ÷ flux-ts p50 (‡)", "fsyncs/execution", "Calls"], selected.map(({ peer }) => {
  const list = hello.get(peer) ?? [];
  if (failures.has(peer)) return [peer.name, "—", "—", "—", "—", "—", `could not run: ${failures.get(peer)}`];
  if (list.length === 0) return [peer.name, "—", "—", "—", "—", fsyncCells(peer)[1], helloFailures.get(peer) ?? "none"];
  const around = helloBrackets.get(peer) ?? [];
  const ratio = peer === fluxTs || around.length === 0 ? "" : `${(percentile(list, 50) / percentile(around, 50)).toFixed(1)}×`;
  return [peer.name, percentile(list, 50).toFixed(2), percentile(list, 99).toFixed(2), Math.max(...list).toFixed(2), ratio, fsyncCells(peer)[1], `${list.length}${helloFailures.has(peer) ? `; then ${helloFailures.get(peer)}` : ""}`];
}));
console.log(`Hello world: a one-step workflow run to its end, ${hellos} calls one after another per block, each with a ${helloTimeoutMs / 1000} s deadline`);
console.log("(‡) the peer's p50 over the p50 of the flux-ts calls taken just before and just after its block");
