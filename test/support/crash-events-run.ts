// The events crash-point test (test/crash-points.test.ts): deployment processes one after another
// on one SQLite file (fixtures/crash-events-child.ts), each SIGKILLed where the plan says, the last
// running to the end; a snapshot of the store and of the side effects after each. Then the
// checks: no event lost or taken twice, each wait ended once, no step body begun once the cancel
// was durable, every firing started once, nothing recorded lost or re-run.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openSqliteStore } from "../../adapters/sqlite/index.js";
import { decodeValue } from "../../src/serialization.js";
import type { EventsKillPoint } from "../fixtures/crash-events-child.js";
import { runProcessChain, type TimedKill } from "./crash-processes.js";

const child = fileURLToPath(new URL("../fixtures/crash-events-child.ts", import.meta.url));
/** The events the child sends (kept in step with its `plannedEvents`, which this file must not import: it runs the child). */
const planned = [["w-plain", "e1"], ["w-plain", "e2"], ["w-timed", "t1"], ["w-plain", "e3"]] as const;

export type EventsKill = EventsKillPoint | TimedKill;
export interface EventsPlan {
  readonly label: string;
  readonly kills: readonly EventsKill[];
}

export interface EventsFigures {
  kills: number;
  lost: number;
  recordedReRun: number;
  inFlightReRun: number;
  eventsLost: number;
  eventsTwice: number;
  waitsEnded: number;
  timedOut: number;
  afterCancel: number;
  cancelledAtStep: number;
  firings: number;
  firstRunMs: number;
  problems: string[];
}

type Logged = { type: string; sourceId: string; name: string; value: unknown };
interface Snapshot {
  readonly logs: ReadonlyMap<string, readonly Logged[]>;
  readonly states: ReadonlyMap<string, string>;
  readonly pending: ReadonlyMap<string, readonly string[]>;
  readonly recorded: ReadonlySet<string>;
  readonly effects: ReadonlyMap<string, number>;
  readonly sent: ReadonlySet<string>;
}

const lines = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : []);

async function snapshot(db: string, dir: string): Promise<Snapshot> {
  const store = await openSqliteStore(db);
  try {
    const logs = new Map<string, Logged[]>();
    const states = new Map<string, string>();
    const pending = new Map<string, string[]>();
    const recorded = new Set<string>();
    for (const summary of (await store.list({ limit: 1000 })).executions) {
      const id = summary.executionId;
      const log = (await store.load(id)).map((e) => ({ type: e.type, sourceId: e.sourceId, name: e.name, value: decodeValue(e.value) }));
      logs.set(id, log);
      states.set(id, summary.state);
      pending.set(id, (await store.pending(id)).map((e) => decodeValue(e.payload) as string));
      for (const e of log) if (e.type === "TASK_COMPLETED" && e.name === "crash_ev_effect") recorded.add(`${id}#${e.sourceId}`);
    }
    const effects = new Map<string, number>();
    for (const line of lines(join(dir, "effects"))) effects.set(line.split(" ")[0]!, (effects.get(line.split(" ")[0]!) ?? 0) + 1);
    return { logs, states, pending, recorded, effects, sent: new Set(lines(join(dir, "sent"))) };
  } finally {
    await store.close();
  }
}

/** Runs `plan` on a fresh SQLite file, its processes' choices seeded from `seed`; checks it and returns its figures. */
export async function runEventsPlan(root: string, index: number, plan: EventsPlan, seed: number): Promise<EventsFigures> {
  const dir = join(root, `events-${index}`);
  mkdirSync(dir);
  const db = join(dir, "flux.db");
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => void (ok || problems.push(`${plan.label}: ${what}`));
  const { snapshots, kills, firstRunMs } = await runProcessChain(child, [db, dir], plan.kills, seed + 1000 * index, () => snapshot(db, dir), (what) => check(false, what));
  const last = snapshots.at(-1)!;

  // Nothing recorded is lost; every log at a kill is a prefix of the later one, numbered without gaps.
  let lost = 0;
  snapshots.forEach((snap, j) => {
    const later = snapshots[j + 1] ?? last;
    for (const key of snap.recorded) if (!later.recorded.has(key)) lost += 1;
    for (const [id, log] of snap.logs) {
      check(JSON.stringify(later.logs.get(id)?.slice(0, log.length)) === JSON.stringify(log), `${id}'s log after kill ${j + 1} is not a prefix of the later one`);
    }
  });
  // Effect bodies: a recorded step never runs again; before it was recorded, once more per kill at most.
  let recordedReRun = 0;
  let inFlightReRun = 0;
  for (const key of last.recorded) {
    const ran = snapshots.find((snap) => snap.recorded.has(key))!.effects.get(key) ?? 0;
    check(ran >= 1, `${key} is recorded but its body never ran`);
    recordedReRun += (last.effects.get(key) ?? 0) - ran;
    inFlightReRun += Math.max(0, ran - 1);
    // At most once per process: a step in flight at a kill runs again once, in the next process.
    snapshots.forEach((snap, j) => {
      const runs = (snap.effects.get(key) ?? 0) - (snapshots[j - 1]?.effects.get(key) ?? 0);
      check(runs <= 1, `${key}'s body ran ${runs} times in process ${j}`);
    });
  }

  // Events: each planned one taken by one wait or kept in its inbox, once; refused only once its execution ended.
  const refused = new Set(lines(join(dir, "refused")));
  let eventsLost = 0;
  let eventsTwice = 0;
  for (const [to, payload] of planned) {
    const taken = [...last.logs.values()].flat().filter((e) => e.type === "EVENT_RECEIVED" && (e.value as { payload: string }).payload === payload).length;
    const kept = (last.pending.get(to) ?? []).filter((p) => p === payload).length;
    if (taken + kept === 0 && !refused.has(payload)) eventsLost += 1;
    if (taken + kept > 1 || (taken + kept === 1 && refused.has(payload))) eventsTwice += 1;
    // Acknowledged to the sender before a kill: there at every later snapshot.
    snapshots.forEach((snap, j) => {
      if (!snap.sent.has(payload)) return;
      for (const later of snapshots.slice(j)) {
        const there = [...later.logs.values()].flat().some((e) => e.type === "EVENT_RECEIVED" && (e.value as { payload: string }).payload === payload)
          || (later.pending.get(to) ?? []).includes(payload);
        if (!there) eventsLost += 1;
      }
    });
  }
  const plain = last.logs.get("w-plain") ?? [];
  check(JSON.stringify(plain.at(-1)?.value) === JSON.stringify(["e1", "e2", "e3"]), `w-plain returned ${JSON.stringify(plain.at(-1)?.value)}`);
  const timed = last.logs.get("w-timed") ?? [];
  check(JSON.stringify(timed.at(-1)?.value) === JSON.stringify(["t1", null, null]), `w-timed returned ${JSON.stringify(timed.at(-1)?.value)}`);
  let waitsEnded = 0;
  let timedOut = 0;
  for (const log of [plain, timed]) {
    for (const wait of log.filter((e) => e.type === "EVENT_WAIT_STARTED")) {
      const ends = log.filter((e) => e.sourceId === wait.sourceId && (e.type === "EVENT_RECEIVED" || e.type === "EVENT_WAIT_TIMED_OUT"));
      check(ends.length === 1, `wait ${wait.sourceId} ended ${ends.length} times`);
      if (ends.length === 1) waitsEnded += 1;
      timedOut += ends.filter((e) => e.type === "EVENT_WAIT_TIMED_OUT").length;
    }
  }

  // The cancel: w-steps ends cancelled, and no body of it began once the cancellation was durable.
  const afterCancel = lines(join(dir, "effects")).filter((line) => line.startsWith("w-steps#") && line.endsWith(" after-cancel")).length;
  const steps = last.logs.get("w-steps") ?? [];
  check(last.states.get("w-steps") === "cancelled" && steps.at(-1)?.type === "WORKFLOW_CANCELLED", `w-steps ended ${last.states.get("w-steps")}`);
  const cancelledAtStep = steps.filter((e) => e.type === "TASK_COMPLETED" && e.name === "crash_ev_effect").length;

  // Firings: each one execution, started and ended once, at a whole minute.
  const firings = [...last.logs.keys()].filter((id) => id.startsWith("tick:"));
  check(firings.length >= 2, `${firings.length} firings`);
  for (const id of firings) check(/^tick:.*:00\.000Z$/.test(id) && last.states.get(id) === "succeeded", `firing ${id} is ${last.states.get(id)}`);
  for (const [id, log] of last.logs) {
    check(log.filter((e) => e.type === "WORKFLOW_STARTED").length === 1 && log[0]?.type === "WORKFLOW_STARTED", `${id} did not start once`);
    check(log.filter((e) => /^WORKFLOW_(COMPLETED|FAILED|CANCELLED)$/.test(e.type)).length === 1, `${id} did not end once`);
    for (const type of ["TASK_STARTED", "TASK_COMPLETED", "EVENT_WAIT_STARTED"]) {
      const ids = log.filter((e) => e.type === type).map((e) => e.sourceId);
      check(ids.length === new Set(ids).size, `${id} recorded a step's ${type} twice`);
    }
  }
  return { kills, lost, recordedReRun, inFlightReRun, eventsLost, eventsTwice, waitsEnded, timedOut, afterCancel, cancelledAtStep, firings: firings.length, firstRunMs, problems };
}
