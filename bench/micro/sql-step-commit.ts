/**
 * Micro benchmark of the SQL store's hot path: a plain step commit (two task events, a lease
 * check, no state change) to a running execution, through `SqlStore.commit` on better-sqlite3
 * over an in-memory database, so that the figure is the statements' CPU cost without fsync.
 * Prints the statements per commit and µs per commit (median of the rounds, min–max). With
 * `--inbox`, it also times `deliver` (with and without a wake), `pending`, a consuming commit
 * and a suspension on an event wait, for a store that has them.
 *
 *   npx tsx bench/micro/sql-step-commit.ts [--rounds 9] [--commits 20000] [--inbox]
 *
 * A figure, never an assertion. On a shared machine, compare runs interleaved in one session.
 */
import Database from "better-sqlite3";
import { commitStatements } from "../../adapters/sql/sql-commit.js";
import { SqlStore } from "../../adapters/sql/sql-store.js";
import { BetterSqliteDriver } from "../../adapters/sqlite/better-sqlite-driver.js";
import { ExecutionEventType as T } from "../../src/events.js";
import type { StateStore, StoredEvent, Wait } from "../../src/state-store.js";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const rounds = arg("--rounds", 9);
const commits = arg("--commits", 20_000);
const executions = 64;
const T0 = 1_700_000_000_000;

const event = (id: number, type: string, time: number, name = "task"): StoredEvent => ({ id, type, sourceId: String(id), name, value: '{"ok":true}', time });

async function open(): Promise<SqlStore> {
  return new SqlStore(new BetterSqliteDriver(new Database(":memory:"), "bench")).ready();
}

/** µs per step commit over `commits` commits spread over `executions` running, leased executions. */
async function stepRound(): Promise<number> {
  const store = await open();
  const lengths: number[] = [];
  for (let e = 0; e < executions; e += 1) {
    await store.commit(`e${e}`, [event(0, T.WORKFLOW_STARTED, T0, "wf")], { expectedSeq: 0, lease: { owner: "A", now: T0, expiresAt: T0 + 1e9 } });
    lengths.push(1);
  }
  const start = performance.now();
  for (let i = 0; i < commits; i += 1) {
    const e = i % executions;
    const seq = lengths[e]!;
    await store.commit(`e${e}`, [event(seq, T.TASK_STARTED, T0 + i), event(seq + 1, T.TASK_COMPLETED, T0 + i)], { expectedSeq: seq, lease: { owner: "A", now: T0 + i } });
    lengths[e] = seq + 2;
  }
  const us = ((performance.now() - start) * 1000) / commits;
  await store.close();
  return us;
}

/** µs per operation of `run`, after `setup`, over `count` operations. */
async function timed(count: number, setup: (store: StateStore) => Promise<void>, run: (store: StateStore, i: number) => Promise<unknown>): Promise<number> {
  const store = await open();
  await setup(store);
  const start = performance.now();
  for (let i = 0; i < count; i += 1) await run(store, i);
  const us = ((performance.now() - start) * 1000) / count;
  await store.close();
  return us;
}

const eventWaits = (n: number): Wait[] => Array.from({ length: n }, (_, i) => ({ kind: "event", stepId: String(i + 1), name: `ev-${i}` }));

/** The inbox operations, each on executions that are paused waiting on `waits` events (or running). */
function inboxRounds(): Record<string, () => Promise<number>> {
  const n = 2_000;
  const pausedOn = (waits: number) => async (store: StateStore) => {
    for (let e = 0; e < executions; e += 1) {
      await store.commit(`e${e}`, [event(0, T.WORKFLOW_STARTED, T0, "wf"), event(1, T.WORKFLOW_PAUSED, T0, "wf")], { expectedSeq: 0, suspend: { waits: eventWaits(waits) } });
    }
  };
  const deliver = (name: (i: number) => string) => (store: StateStore, i: number) =>
    store.deliver(`e${i % executions}`, { name: name(i), payload: '{"n":1}', time: T0 + 1e6 - i });
  return {
    "deliver, paused on 1 event, no match": () => timed(n, pausedOn(1), deliver(() => "other")),
    "deliver, paused on 1 event, wakes": () => timed(n, pausedOn(1), deliver(() => "ev-0")),
    "deliver, paused on 50 events, wakes (last)": () => timed(n, pausedOn(50), deliver(() => "ev-49")),
    "deliver, running": () => timed(n, async (store) => {
      for (let e = 0; e < executions; e += 1) await store.commit(`e${e}`, [event(0, T.WORKFLOW_STARTED, T0, "wf")], { expectedSeq: 0 });
    }, deliver(() => "ev-0")),
    "pending, 30 delivered, 20 consumed": () => timed(n, async (store) => {
      await store.commit("e", [event(0, T.WORKFLOW_STARTED, T0, "wf")], { expectedSeq: 0 });
      for (let i = 0; i < 30; i += 1) await store.deliver("e", { name: `ev-${i % 3}`, payload: "1", time: T0 + i });
      await store.commit("e", [event(1, T.EVENT_RECEIVED, T0 + 40)], { expectedSeq: 1, consumes: Array.from({ length: 20 }, (_, i) => i + 1) });
    }, (store) => store.pending("e")),
    "commit consuming 1 event": () => {
      const lengths = new Map<string, number>();
      return timed(n, async (store) => {
        for (let e = 0; e < executions; e += 1) {
          await store.commit(`e${e}`, [event(0, T.WORKFLOW_STARTED, T0, "wf")], { expectedSeq: 0 });
          for (let k = 0; k < Math.ceil(n / executions); k += 1) await store.deliver(`e${e}`, { name: "ev", payload: "1", time: T0 });
          lengths.set(`e${e}`, 1);
        }
      }, (store, i) => {
        const id = `e${i % executions}`;
        const seq = lengths.get(id)!;
        lengths.set(id, seq + 1);
        return store.commit(id, [event(seq, T.EVENT_RECEIVED, T0 + i)], { expectedSeq: seq, consumes: [seq] });
      });
    },
    "suspension on 3 event waits, 5 pending (none waited)": () => {
      const lengths = new Map<string, number>();
      return timed(n, async (store) => {
        for (let e = 0; e < executions; e += 1) {
          await store.commit(`e${e}`, [event(0, T.WORKFLOW_STARTED, T0, "wf")], { expectedSeq: 0 });
          for (let k = 0; k < 5; k += 1) await store.deliver(`e${e}`, { name: `other-${k}`, payload: "1", time: T0 });
          lengths.set(`e${e}`, 1);
        }
      }, (store, i) => {
        const id = `e${i % executions}`;
        const seq = lengths.get(id)!;
        lengths.set(id, seq + 2);
        return store.commitBatch([
          { executionId: id, events: [event(seq, T.WORKFLOW_PAUSED, T0 + i, "wf")], expectedSeq: seq, suspend: { waits: eventWaits(3) } },
          { executionId: id, events: [event(seq + 1, T.WORKFLOW_RESUMED, T0 + i, "wf")], expectedSeq: seq + 1 },
        ]);
      });
    },
  };
}

function report(title: string, samples: number[]): void {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  console.log(`${title.padEnd(56)} ${median.toFixed(2).padStart(8)} µs   (${sorted[0]!.toFixed(2)}–${sorted[sorted.length - 1]!.toFixed(2)}, ${samples.length} rounds)`);
}

const step = commitStatements([{ executionId: "e", events: [event(5, T.TASK_STARTED, T0), event(6, T.TASK_COMPLETED, T0)], expectedSeq: 5, lease: { owner: "A", now: T0 } }]);
console.log(`step commit: ${step.length} statements; summary update: ${step[1]?.sql.replace(/\s+/g, " ").slice(0, 400)}`);
await stepRound(); // warm-up
const samples: number[] = [];
for (let r = 0; r < rounds; r += 1) samples.push(await stepRound());
report(`step commit (2 events, lease check), ${commits} commits`, samples);
if (process.argv.includes("--inbox")) {
  for (const [title, round] of Object.entries(inboxRounds())) {
    await round();
    const times: number[] = [];
    for (let r = 0; r < Math.max(3, Math.floor(rounds / 2)); r += 1) times.push(await round());
    report(title, times);
  }
}
