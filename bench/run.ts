/**
 * `npm run bench`: runs every workload of `bench/workloads/` (each variant in a child process
 * of its own), then prints one table: median of the runs, min–max, the target and PASS/MISS.
 * Figures only: nothing here fails on a time.
 *
 * Options: `--runs N` (default 5), `--only <substring of a file name>` (repeatable).
 */
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { runChild } from "./lib/run-child.js";
import { formatFigure, summarize, type Summary } from "./lib/stats.js";
import { meets, type Variant, type Workload } from "./lib/workload.js";

/** The workloads, in table order. */
const files = [
  "fsync-floor",
  "sqlite-floor",
  "sequential",
  "step-floors",
  "wal-pages",
  "fan-out-map",
  "concurrent-executions",
  "replay",
  "replay-scaling",
  "replay-memory",
  "replay-memory-100k",
  "exec-replay-memory",
  "large-outputs",
  "large-outputs-cost",
  "http",
  "wake-idle",
  "wake-timers",
  "events-delivered",
  "event-latency",
  "cli-cold-start",
  "browser-idb",
  "browser-idb-ratio",
  "core-size",
  "worker-size",
  "playground-size",
];

interface Row {
  readonly workload: Workload;
  readonly variant: Variant;
  readonly summary?: Summary;
  /** The note of the sample nearest the median. */
  readonly note?: string;
  readonly unavailable?: string;
}

function option(name: string): string[] {
  const values: string[] = [];
  process.argv.forEach((arg, i) => {
    if (arg === name && process.argv[i + 1] !== undefined) values.push(process.argv[i + 1]!);
  });
  return values;
}

const runs = Number(option("--runs")[0] ?? 5);
const only = option("--only");
const selected = files.filter((file) => only.length === 0 || only.some((part) => file.includes(part)));
const rows: Row[] = [];

console.log(`flux-ts benchmarks — ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.versions.node}`);
for (const name of selected) {
  const file = fileURLToPath(new URL(`./workloads/${name}.ts`, import.meta.url));
  let workload: Workload;
  try {
    workload = ((await import(file)) as { default: Workload }).default;
  } catch (error) {
    console.log(`  ${name}: cannot load (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`);
    continue;
  }
  for (const variant of workload.variants) {
    console.log(`  ${workload.title} [${variant}] …`);
    try {
      const report = await runChild(file, variant, runs, (line) => console.log(line));
      if (report.unavailable !== undefined) {
        rows.push({ workload, variant, unavailable: report.unavailable });
      } else {
        const summary = summarize(report.samples);
        const nearest = report.samples.reduce((best, value, i) => (Math.abs(value - summary.median) < Math.abs(report.samples[best]! - summary.median) ? i : best), 0);
        rows.push({ workload, variant, summary, ...(report.notes === undefined ? {} : { note: report.notes[nearest]! }) });
      }
    } catch (error) {
      rows.push({ workload, variant, unavailable: `failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}` });
    }
  }
}
printTable(rows);

function printTable(table: readonly Row[]): void {
  const floor = table.find((row) => row.workload.title.startsWith("fsync floor"))?.summary?.median;
  const header = ["Workload", "Variant", "Median", "Min–max", "Unit", "Runs", "Target", "Result", "Note"];
  const lines = table.map((row) => {
    const { workload, variant, summary } = row;
    const target = workload.target;
    const applies = target !== undefined && (target.on === undefined || (typeof target.on === "string" ? target.on === variant : target.on.includes(variant)));
    const targetText = target === undefined ? "" : `${target.better === "higher" ? "≥" : "≤"} ${formatFigure(target.value)}${applies ? "" : " (ref)"}`;
    if (summary === undefined) return [workload.title, variant, "—", "—", workload.unit, "0", targetText, "N/A", row.unavailable ?? ""];
    const result = !applies ? "" : meets(summary.median, target!) ? "PASS" : "MISS";
    let note = row.note ?? "";
    if (workload.perStep === true && floor !== undefined && variant === "sqlite") {
      const msPerStep = 1000 / summary.median;
      note = `${msPerStep.toFixed(3)} ms/step = ${(msPerStep / floor).toFixed(2)}× fsync floor`;
    }
    return [workload.title, variant, formatFigure(summary.median), `${formatFigure(summary.min)}–${formatFigure(summary.max)}`, workload.unit, String(summary.runs), targetText, result, note];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => line[i]!.length)));
  const format = (cells: readonly string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")} |`;
  console.log();
  console.log(format(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const line of lines) console.log(format(line));
}
