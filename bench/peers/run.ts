/**
 * `npm run bench:peers`: the same workload — one new execution of N sequential no-op durable
 * steps (default 1,000) — on flux-ts and on its peers, in one run, and the ratios.
 *
 * The peers are installed on demand into `bench/peers/node_modules` (their own package.json,
 * never flux-ts's dependencies). All engines are started first; then each round runs every
 * engine once in turn (so that the machine's drift touches all alike), after one warm-up run
 * each. A peer that cannot start here is reported as such; the others still run.
 *
 * Options: `--steps N` (default 1000), `--runs N` (default 5), `--only <name part>` (repeatable).
 */
import { execFileSync } from "node:child_process";
import { cpus } from "node:os";
import { formatFigure, summarize } from "../lib/stats.js";
import { cloudflare } from "./cloudflare.js";
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
const selected = peers.filter(({ peer }) => peer === fluxTs || only.length === 0 || only.some((part) => peer.name.toLowerCase().includes(part.toLowerCase())));

if (!peersInstalled()) {
  console.log(`installing the peers into ${peersDir}node_modules (npm install --prefix bench/peers) …`);
  execFileSync("npm", ["install", "--prefix", peersDir, "--no-audit", "--no-fund", "--loglevel=error"], { stdio: "inherit" });
}

console.log(`peers — ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model ?? "?"}, Node ${process.versions.node} — ${steps} sequential no-op steps, ${runs} runs after 1 warm-up`);
const sessions = new Map<Peer, PeerSession>();
const failures = new Map<Peer, string>();
const samples = new Map<Peer, number[]>();
for (const { peer } of selected) {
  process.stdout.write(`  starting ${peer.name} … `);
  try {
    const session = await peer.start();
    await session.run(steps);
    sessions.set(peer, session);
    samples.set(peer, []);
    console.log("ready");
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0]! : String(error);
    failures.set(peer, reason);
    console.log(`cannot run here: ${reason}`);
  }
}
for (let round = 1; round <= runs; round += 1) {
  for (const [peer, session] of sessions) {
    try {
      samples.get(peer)!.push(steps / (await session.run(steps)));
    } catch (error) {
      failures.set(peer, error instanceof Error ? error.message.split("\n")[0]! : String(error));
      sessions.delete(peer);
      await session.stop().catch(() => undefined);
    }
  }
  console.log(`  round ${round}/${runs} done`);
}
for (const session of sessions.values()) await session.stop();

const ours = samples.get(fluxTs)?.length ? summarize(samples.get(fluxTs)!).median : undefined;
const header = ["Engine", "Steps/s (median)", "Min–max", "ms/step", "flux-ts ÷ it", "Goal", "Result", "Setup"];
const rows = selected.map(({ peer, goal }) => {
  const list = samples.get(peer) ?? [];
  if (list.length === 0 || failures.has(peer)) return [peer.name, "—", "—", "—", "—", goal === undefined ? "" : `≥ ${goal}×`, "N/A", `could not run: ${failures.get(peer) ?? "no samples"}`];
  const s = summarize(list);
  const ratio = ours === undefined || peer === fluxTs ? undefined : ours / s.median;
  const result = goal === undefined || ratio === undefined ? "" : ratio >= goal ? "MET" : "MISSED";
  return [peer.name, formatFigure(s.median), `${formatFigure(s.min)}–${formatFigure(s.max)}`, (1000 / s.median).toFixed(3), ratio === undefined ? "" : `${ratio.toFixed(1)}×`, goal === undefined ? "" : `≥ ${goal}×`, result, peer.setup];
});
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
const line = (cells: readonly string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")} |`;
console.log();
console.log(line(header));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const row of rows) console.log(line(row));
