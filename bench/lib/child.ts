/**
 * Entry of a workload's child process: `node --import tsx bench/lib/child.ts <workload file>
 * <variant> <runs>`. Warms up, takes the samples and prints a {@link ChildReport} as the last
 * line of stdout (anything the workload prints goes before it).
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ChildReport, Workload } from "./workload.js";

const [file, variant = "-", runsText = "5"] = process.argv.slice(2);
if (file === undefined) throw new Error("usage: child.ts <workload file> <variant> <runs>");
const workload = ((await import(pathToFileURL(resolve(file)).href)) as { default: Workload }).default;
let report: ChildReport;
const unavailable = await workload.unavailable?.(variant);
if (unavailable !== undefined) {
  report = { samples: [], unavailable };
} else {
  for (let i = 0; i < (workload.warmups ?? 1); i += 1) await workload.measure(variant);
  const samples: number[] = [];
  const notes: string[] = [];
  for (let i = 0; i < (workload.runs ?? Number(runsText)); i += 1) {
    const sample = await workload.measure(variant);
    samples.push(typeof sample === "number" ? sample : sample.value);
    if (typeof sample !== "number") notes.push(sample.note);
  }
  report = notes.length === samples.length ? { samples, notes } : { samples };
  await workload.teardown?.();
}
process.stdout.write(`\n${JSON.stringify(report)}\n`);
