/**
 * Child process of the large-outputs workload: `node output-child.mjs <db file> <steps> <bytes>`.
 * Runs a new execution of `steps` sequential steps, each returning a fresh string of `bytes`
 * characters, on the SQLite file, and prints as JSON its peak resident set size (MB) and how long
 * the run took (ms).
 */
import { SqliteStore } from "../../adapters/sqlite/index.js";
import { Engine, task, workflow } from "../../src/index.js";

const [path, stepsText, bytesText] = process.argv.slice(2);
if (path === undefined || stepsText === undefined || bytesText === undefined) throw new Error("usage: output-child <db> <steps> <bytes>");
const steps = Number(stepsText);
const bytes = Number(bytesText);
// A new string per step (its number first), as a real task's output would be.
const produce = task("produce", async (i: number) => (bytes === 0 ? i : `${i}:`.padEnd(bytes, "x")));
const flow = workflow(`outputs_${steps}_${bytes}`, async (ctx) => {
  for (let i = 0; i < steps; i += 1) await ctx.run(produce, i);
  return steps;
});
const store = await new SqliteStore(path).ready();
const start = performance.now();
// The bounded-memory setting the row measures (off by default: see EngineOptions.releaseValuesOver).
const ctx = await new Engine({ store, releaseValuesOver: 4096 }).run(flow, undefined);
const ms = performance.now() - start;
if (ctx.output !== steps) throw new Error(`the run ended ${ctx.state}: ${String(ctx.output)}`);
await store.close();
process.stdout.write(`${JSON.stringify({ peakMb: process.resourceUsage().maxRSS / 1024, ms })}\n`);
