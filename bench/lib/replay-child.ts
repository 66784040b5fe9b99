/**
 * Child process of the memory workload: `node --import tsx bench/lib/replay-child.ts <db file>
 * <execution id> <steps>`. Replays the execution from the SQLite file and prints, as JSON, its
 * peak resident set size and the one it had before loading anything (MB), and how long opening
 * the store and replaying took (ms, from before the store is opened to the run's end).
 */
import { SqliteStore } from "../../adapters/sqlite/index.js";
import { Engine } from "../../src/index.js";
import { sequentialWorkflow } from "./noop.js";

const [path, executionId, stepsText] = process.argv.slice(2);
if (path === undefined || executionId === undefined || stepsText === undefined) throw new Error("usage: replay-child.ts <db> <execution id> <steps>");
const steps = Number(stepsText);
const flow = sequentialWorkflow(steps);
const baselineMb = process.memoryUsage().rss / 2 ** 20;
const start = performance.now();
const store = await new SqliteStore(path).ready();
const ctx = await new Engine({ store }).run(flow, undefined, { executionId });
const ms = performance.now() - start;
if (ctx.output !== steps) throw new Error(`the replay ended ${ctx.state}: ${String(ctx.output)}`);
await store.close();
// maxRSS is in kilobytes.
const peakMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify({ peakMb, baselineMb, ms })}\n`);
