/**
 * `npm run bench:peers`: the same workload — one new execution of N sequential no-op durable
 * steps (default 1,000) — on flux-ts and on its peers, in one run, and the ratios.
 *
 * The peers are installed on demand into `bench/peers/node_modules` (their own package.json,
 * never flux-ts's dependencies). Each engine runs alone (started, one warm-up run, the
 * samples, stopped: no other engine's idle servers running meanwhile), and flux-ts runs
 * before the first peer and after each one: a peer's ratio is the median of the flux-ts
 * samples on either side of it over the peer's median. A peer that cannot start here is
 * reported as such; the others still run.
 *
 * Every start, run and stop has a deadline (`--timeout S`, default 120 s per run, 180 s to start):
 * a peer that stops answering (a Cloudflare instance whose `status()` never returns, say) is
 * reported as hung, stopped, and the others still run.
 *
 * Options: `--steps N` (default 1000), `--runs N` (default 5), `--only <name part>` (repeatable),
 * `--timeout S` (default 120).
 */
import { execFileSync } from "node:child_process";
import { cpus } from "node:os";
import { formatFigure, summarize } from "../lib/stats.js";
import { cloudflare } from "./cloudflare.js";
import { withDeadline } from "./deadline.js";
import { dbos } from "./dbos.js";
import { fluxTs } from "./flux.js";
import { peersDir, peersInstalled } from "./peer-modules.js";
import type { Peer, PeerSession } from "./peer.js";
import { restate } from "./restate.js";

/** Each peer with the factor flux-ts aims to beat it by, per sequential step. */
const peers: readonly { peer: Peer; goal?: number }[] = [
  { peer: fluxTs },
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

/** Starts `peer`, warms it up, takes `runs` samples, stops it: alone, so no engine's idle servers slow another. */
async function measure(peer: Peer): Promise<number[]> {
  process.stdout.write(`  ${peer.name} … `);
  let session: PeerSession | undefined;
  const taken: number[] = [];
  try {
    session = await withDeadline(peer.start(), startTimeoutMs, `starting ${peer.name}`);
    const run = (which: string) => withDeadline(session!.run(steps), runTimeoutMs, `to ${which} of ${steps} steps`);
    await run("the warm-up run");
    for (let i = 0; i < runs; i += 1) taken.push(steps / (await run(`run ${i + 1}`)));
    samples.set(peer, [...(samples.get(peer) ?? []), ...taken]);
    console.log(taken.map((value) => formatFigure(value)).join(", "));
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0]! : String(error);
    failures.set(peer, reason);
    console.log(`cannot run here: ${reason}`);
  } finally {
    if (session !== undefined) await withDeadline(session.stop(), 60_000, `stopping ${peer.name}`).catch(() => undefined);
    // Let the removal of its files (journal commits) and its exit settle before the next block.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  return taken;
}

// flux-ts runs before the first peer and after each one (A B A C A D A): each peer is compared
// with the flux-ts blocks on either side of it, so the drift of a shared machine over the run
// weighs on both sides of each ratio alike.
let before = await measure(fluxTs);
for (const { peer } of selected) {
  if (peer === fluxTs) continue;
  await measure(peer);
  const after = await measure(fluxTs);
  brackets.set(peer, [...before, ...after]);
  before = after;
}

const header = ["Engine", "Steps/s (median)", "Min–max", "ms/step", "flux-ts ÷ it (†)", "Goal", "Result", "Setup"];
const rows = selected.map(({ peer, goal }) => {
  const list = samples.get(peer) ?? [];
  if (list.length === 0 || failures.has(peer)) return [peer.name, "—", "—", "—", "—", goal === undefined ? "" : `≥ ${goal}×`, "N/A", `could not run: ${failures.get(peer) ?? "no samples"}`];
  const s = summarize(list);
  const around = brackets.get(peer) ?? [];
  const ratio = peer === fluxTs || around.length === 0 ? undefined : summarize(around).median / s.median;
  const result = goal === undefined || ratio === undefined ? "" : ratio >= goal ? "MET" : "MISSED";
  return [peer.name, formatFigure(s.median), `${formatFigure(s.min)}–${formatFigure(s.max)}`, (1000 / s.median).toFixed(3), ratio === undefined ? "" : `${ratio.toFixed(1)}×`, goal === undefined ? "" : `≥ ${goal}×`, result, peer.setup];
});
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
const line = (cells: readonly string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")} |`;
console.log();
console.log(line(header));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const row of rows) console.log(line(row));
console.log("(†) the median of the flux-ts samples taken just before and just after the peer's block, over the peer's median");
