import { setTimeout as sleep } from "node:timers/promises";
import { cpuTimeMs } from "../lib/proc-cpu.js";
import { dueQueryMs, openWakeSession, p50Max, postLatencies, type WakeSession } from "../lib/wake-session.js";
import type { Workload } from "../lib/workload.js";

const windowMs = 10_000;
/** Past V8's first memory-reducing GC, about 8 s after the server starts. */
const settleMs = 10_000;
let sessions: Promise<{ full: WakeSession; empty: WakeSession }> | undefined;

async function open(): Promise<{ full: WakeSession; empty: WakeSession }> {
  const empty = await openWakeSession({ paused: 0, sleeping: 0 }, 0);
  try {
    return { full: await openWakeSession(undefined, settleMs), empty };
  } catch (error) {
    await empty.close();
    throw error;
  }
}

/** CPU time (ms) of each of `pids` over `ms` in which nobody calls them, and the elapsed time. */
async function idleCpu(pids: readonly number[], ms: number): Promise<{ cpu: number[]; elapsed: number }> {
  const read = () => pids.map((pid) => {
    const cpu = cpuTimeMs(pid);
    if (cpu === undefined) throw new Error(`cannot read the CPU time of process ${pid} from /proc`);
    return cpu;
  });
  const before = read();
  const start = performance.now();
  await sleep(ms);
  const after = read();
  return { cpu: after.map((value, i) => value - before[i]!), elapsed: performance.now() - start };
}

/**
 * `flux start` (the real CLI, on 127.0.0.1) on a SQLite file holding 10,000 executions paused on
 * a pause and 1,000 sleeping for a year: the % of one core it uses over 10 s in which nobody
 * calls it (its dispatcher polls `due` every second), read from /proc (every thread, and tsx's
 * esbuild child), after it settled 10 s from its start. A second server on an empty store runs
 * beside it and is read over the same window (same machine, same moment): what Node and an
 * idle server cost with nothing to wait on. Before each window, 20 POSTs of a one-step workflow
 * to each, one every 100 ms; during it, from this process, the median time of one `due` query on
 * each file, asked once a second as the dispatcher asks it.
 */
const wakeIdle: Workload = {
  title: "Wake: flux start idle, 10k paused + 1k sleeping",
  unit: "% of a core",
  target: { value: 2, better: "lower" },
  variants: ["sqlite"],
  warmups: 0,
  async unavailable() {
    return cpuTimeMs(process.pid) === undefined ? "no /proc here (Linux only)" : undefined;
  },
  async measure() {
    sessions ??= open();
    const { full, empty } = await sessions;
    const emptyPost = await postLatencies(empty.server);
    const post = await postLatencies(full.server);
    // The due() timings (this process, its own connection to the file) run during the window: they read, and the server's CPU is not theirs.
    const [{ cpu: [cpu, emptyCpu], elapsed }, due, emptyDue] = await Promise.all([
      idleCpu([full.server.pid, empty.server.pid], windowMs), dueQueryMs(full.store, 9), sleep(500).then(() => dueQueryMs(empty.store, 9)),
    ]);
    const perSecond = (cpu! / elapsed) * 1000; // ms of CPU per second, i.e. per poll
    return {
      value: (cpu! / elapsed) * 100,
      note: `${perSecond.toFixed(2)} ms CPU/s = ${(perSecond / due).toFixed(1)}× one due() (${(due * 1000).toFixed(0)} µs); POST ${p50Max(post)}; `
        + `empty store: ${((emptyCpu! / elapsed) * 100).toFixed(3)} %, due() ${(emptyDue * 1000).toFixed(0)} µs, POST ${p50Max(emptyPost)}`,
    };
  },
  async teardown() {
    if (sessions === undefined) return;
    const { full, empty } = await sessions;
    await full.close();
    await empty.close();
  },
};
export default wakeIdle;
