import Database from "better-sqlite3";
import { setTimeout as sleep } from "node:timers/promises";
import { Tables } from "../../adapters/sql/sql-schema.js";
import { ExecutionEventType as T } from "../../src/index.js";
import { cpuTimeMs } from "../lib/proc-cpu.js";
import { oneRowTransactionsMs } from "../lib/one-row-transactions.js";
import { summarize } from "../lib/stats.js";
import { seedTimers } from "../lib/wake-seed.js";
import { openWakeSession, p50Max, type WakeSession } from "../lib/wake-session.js";
import type { Variant, Workload } from "../lib/workload.js";

/** How long before their due time the timers are recorded: more than the dispatcher's 1 s poll, so that a poll sees them before they are due. */
const lead = 3_000;
let session: Promise<WakeSession> | undefined;

/** Resolves once every execution of `ids` succeeded, looking once every 100 ms (one COUNT query); rejects after `timeout` ms. */
async function allSucceeded(path: string, ids: readonly string[], timeout: number): Promise<void> {
  const db = new Database(path, { readonly: true });
  try {
    const count = db.prepare(`SELECT count(*) AS n FROM ${Tables.executions} WHERE state = 'succeeded' AND id IN (SELECT value FROM json_each(?))`);
    const list = JSON.stringify(ids);
    const deadline = performance.now() + timeout;
    for (;;) {
      const { n } = count.get(list) as { n: number };
      if (n === ids.length) return;
      if (performance.now() > deadline) throw new Error(`${ids.length - n} of ${ids.length} timers not done ${timeout} ms after they came due`);
      await sleep(100);
    }
  } finally {
    db.close();
  }
}

/**
 * `flux start` (the real CLI, on 127.0.0.1) on a SQLite file holding 10,000 executions paused on
 * a pause and 1,000 sleeping for a year. In each sample this process records, on the same file,
 * 1 or 1,000 more executions whose durable sleep comes due at one instant T, 3 s ahead; the
 * server's dispatcher learns of them by its poll and wakes them. Each wake is then read from the
 * log: the time of its WORKFLOW_RESUMED event (recorded with the sleep's end, once the wake has
 * taken the lease, read the log and replayed up to the sleep) and of its WORKFLOW_COMPLETED (one
 * step after the sleep).
 * The figure is the time from T by which every one of them had started. For 1,000, its floor,
 * measured just before each sample: 1,000 one-row durable SQLite transactions in a row (each
 * wake takes its lease in a transaction of its own); and the server's CPU time from T until all
 * had finished (read from /proc, up to 100 ms after the last one finished).
 */
const wakeTimers: Workload = {
  title: "Wake: timers due together, all started",
  unit: "ms after due",
  target: { value: 1_000, better: "lower", on: "1,000 timers" },
  variants: ["1 timer", "1,000 timers"],
  async measure(variant: Variant) {
    const count = variant === "1 timer" ? 1 : 1_000;
    session ??= openWakeSession();
    const { path, store, server } = await session;
    // The floor, just before: as many one-row durable transactions in a row as there are timers, on another file.
    const floor = count === 1 ? 0 : oneRowTransactionsMs(count);
    const due = Date.now() + lead;
    const ids = await seedTimers(path, count, due);
    const seeded = Date.now();
    if (seeded > due - 1_100) throw new Error(`recording ${count} timers took ${seeded - (due - lead)} ms: the server's poll may not see them before they are due`);
    await sleep(due - Date.now());
    const cpuBefore = cpuTimeMs(server.pid);
    await allSucceeded(path, ids, 30_000);
    const cpuAfter = cpuTimeMs(server.pid);
    const cpu = cpuBefore === undefined || cpuAfter === undefined ? "" : `; server CPU ${(cpuAfter - cpuBefore).toFixed(0)} ms`;
    const started: number[] = [];
    const finished: number[] = [];
    for (const id of ids) {
      const events = await store.load(id);
      const resumed = events.filter((event) => event.type === T.WORKFLOW_RESUMED).pop();
      const completed = events.find((event) => event.type === T.WORKFLOW_COMPLETED);
      if (resumed === undefined || completed === undefined) throw new Error(`execution ${id} has no WORKFLOW_RESUMED or WORKFLOW_COMPLETED`);
      started.push(resumed.time - due);
      finished.push(completed.time - due);
    }
    const all = summarize(started).max;
    const end = summarize(finished).max;
    const note = count === 1
      ? `finished ${end} ms after due${cpu}`
      : `started ${p50Max(started)}; all finished ${end} ms after due${cpu}; all started = ${(all / floor).toFixed(2)}× ${count.toLocaleString("en-US")} 1-row txn in a row (${floor.toFixed(0)} ms)`;
    return { value: all, note };
  },
  async teardown() {
    await (await session)?.close();
  },
};
export default wakeTimers;
