// The composed crash-point test (test/crash-points.test.ts): a top workflow with subworkflows on
// three levels, pauses, durable sleeps past the hold limit and parallel branches
// (fixtures/crash-composed-workflow.ts), served by deployment processes one after another on one
// SQLite file (fixtures/crash-composed-child.ts), each SIGKILLed where the plan says
// (crash-composed-plans.ts; the last runs to the end). After each, a snapshot of the store and of
// the side effects; then the checks, and the figures: recorded steps lost and re-run, in-flight
// steps re-run, executions completed, pauses answered by anything but the resume aimed at them.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openSqliteStore } from "../../adapters/sqlite/index.js";
import { decodeValue } from "../../src/serialization.js";
import { composedShape, type KillPoint } from "../fixtures/crash-composed-workflow.js";
import type { KillPhase } from "../fixtures/crash-workflow.js";
import { runProcessChain, type TimedKill } from "./crash-processes.js";

const child = fileURLToPath(new URL("../fixtures/crash-composed-child.ts", import.meta.url));
/** Re-runs of the killed step itself that each phase must show: its body ran and its completion was not durable → exactly 1. */
const expectedInFlight: Readonly<Record<KillPhase, number>> = { "before-body": 0, "after-body": 1, "on-record": 1, "after-commit": 0 };

/** Where one process is killed: at a kill point, or `afterMs` after it printed "running". */
export type ComposedKill = KillPoint | TimedKill;
export interface ComposedPlan {
  readonly label: string;
  /** Where each process is killed, in order; one more process then runs to the end. */
  readonly kills: readonly ComposedKill[];
}

export interface ComposedFigures {
  kills: number;
  lost: number;
  recordedReRun: number;
  inFlightReRun: number;
  /** Of those, re-runs of the steps the plan killed at a phase; how many such kills; how many re-ran as their phase predicts. */
  killedStepReRun: number;
  phaseKills: number;
  asPredicted: number;
  /** The most times one step's body ran in one process (1: at most one re-run per step per kill). */
  maxRunsPerProcess: number;
  executions: number;
  completed: number;
  misdirected: number;
  resumesRecorded: number;
  resumesSent: number;
  /** Resumes that resolved without answering any pause (their value dropped unseen). */
  resumesDropped: number;
  sleeps: number;
  sleepsWoken: number;
  /** How long the first process ran, from "running" to its exit (ms). */
  firstRunMs: number;
  /** What went wrong besides the figures (a process that failed, a log rewritten, a step killed at a phase that re-ran unlike it predicts, ...). */
  problems: string[];
}

type Logged = { type: string; sourceId: string; name: string; value: unknown };
interface Snapshot {
  readonly logs: ReadonlyMap<string, readonly Logged[]>;
  readonly states: ReadonlyMap<string, string>;
  /** Effect steps recorded as completed, `<execution>#<step>`. */
  readonly recorded: ReadonlySet<string>;
  /** Effect steps the workflow saw resolve (so durable), `<execution>#<step>`. */
  readonly acked: ReadonlySet<string>;
  /** Every recorded step end and resume, `<execution>#<step> <type>`, and every acknowledged effect step. */
  readonly durable: ReadonlySet<string>;
  readonly effects: ReadonlyMap<string, number>;
  /** Event ids out of place (a log must number its events from 0 without gaps). */
  readonly gaps: readonly string[];
}

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter((l) => l !== "") : [];
}

async function snapshot(db: string, dir: string): Promise<Snapshot> {
  const store = await openSqliteStore(db);
  try {
    const logs = new Map<string, Logged[]>();
    const states = new Map<string, string>();
    const recorded = new Set<string>();
    const gaps: string[] = [];
    const acked = new Set(lines(join(dir, "acks")));
    const durable = new Set([...acked].map((key) => `${key} TASK_COMPLETED`));
    for (const summary of (await store.list({ limit: 1000 })).executions) {
      const id = summary.executionId;
      const log = (await store.load(id)).map((e, i) => {
        if (e.id !== i) gaps.push(`execution ${id}: event ${i} has the id ${e.id}`);
        return { type: e.type, sourceId: e.sourceId, name: e.name, value: decodeValue(e.value) };
      });
      logs.set(id, log);
      states.set(id, summary.state);
      for (const e of log) {
        if (e.type === "TASK_COMPLETED" && e.name === "crash_effect") recorded.add(`${id}#${e.sourceId}`);
        if (e.type === "TASK_COMPLETED" || e.type === "TASK_RESUMED") durable.add(`${id}#${e.sourceId} ${e.type}`);
      }
    }
    const effects = new Map<string, number>();
    for (const key of lines(join(dir, "effects"))) effects.set(key, (effects.get(key) ?? 0) + 1);
    return { logs, states, recorded, acked, durable, effects, gaps };
  } finally {
    await store.close();
  }
}

/**
 * Runs `plan` on a fresh SQLite file (its top execution is "top") with workers of `steps` steps,
 * its processes' choices seeded from `seed`; checks it and returns its figures.
 */
export async function runComposedPlan(root: string, index: number, plan: ComposedPlan, steps: number, seed: number): Promise<ComposedFigures> {
  const dir = join(root, `composed-${index}`);
  mkdirSync(dir);
  const db = join(dir, "flux.db");
  const id = "top";
  const shape = composedShape(id, steps);
  // The answers the test gives, one per pause: unique, so each names the resume that carried it.
  const resumeValues = Array.from({ length: shape.pauseCount }, (_, i) => `approve-${i + 1}`);
  /** What went wrong besides the figures, each naming the plan: the test shows them after the figures. */
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => void (ok || problems.push(`${plan.label}: ${what}`));
  const { snapshots, kills, firstRunMs } = await runProcessChain(
    child, [db, id, dir, String(steps), resumeValues.join(",")], plan.kills, seed + 1000 * index, () => snapshot(db, dir), (what) => check(false, what),
  );
  const last = snapshots.at(-1)!;

  // Lost: a step end or resume recorded (or an effect step acknowledged) at a kill, missing later;
  // and every log at a kill must be a prefix of the log after it, its ids without gaps.
  let lost = 0;
  snapshots.forEach((snap, j) => {
    const later = snapshots[j + 1] ?? last;
    for (const key of snap.durable) if (!later.durable.has(key)) lost += 1;
    for (const [execution, log] of snap.logs) {
      check(JSON.stringify(later.logs.get(execution)?.slice(0, log.length)) === JSON.stringify(log), `${execution}'s log after kill ${j + 1} is not a prefix of the later one`);
    }
    for (const gap of snap.gaps) check(false, gap);
  });

  // Re-runs of effect bodies: after their step was recorded, and before (the in-flight window).
  check(JSON.stringify([...last.effects.keys()].sort()) === JSON.stringify([...last.recorded].sort()), "the effect steps that ran are not those recorded");
  check(last.recorded.size === shape.effectSteps, `${last.recorded.size} effect steps recorded, not ${shape.effectSteps}`);
  let recordedReRun = 0;
  let inFlightReRun = 0;
  let maxRunsPerProcess = 0;
  const atRecord = new Map<string, number>();
  for (const key of last.recorded) {
    // Recorded from the first snapshot that has it recorded, or acknowledged (resolved: durable).
    const ran = snapshots.find((snap) => snap.recorded.has(key) || snap.acked.has(key))!.effects.get(key) ?? 0;
    check(ran >= 1, `${key} is recorded but its body never ran`);
    atRecord.set(key, ran);
    recordedReRun += (last.effects.get(key) ?? 0) - ran;
    inFlightReRun += Math.max(0, ran - 1);
    snapshots.forEach((snap, j) => {
      maxRunsPerProcess = Math.max(maxRunsPerProcess, (snap.effects.get(key) ?? 0) - (snapshots[j - 1]?.effects.get(key) ?? 0));
    });
  }
  let killedStepReRun = 0;
  let phaseKills = 0;
  let asPredicted = 0;
  for (const kill of plan.kills) {
    if (!("phase" in kill)) continue;
    phaseKills += 1;
    const ran = atRecord.get(kill.key);
    if (ran === undefined) {
      check(false, `the step killed ${kill.phase}, ${kill.key}, was never recorded`);
      continue;
    }
    const reRun = ran - 1;
    check(reRun === expectedInFlight[kill.phase], `the step killed ${kill.phase}, ${kill.key}, re-ran ${reRun} times, not ${expectedInFlight[kill.phase]}`);
    killedStepReRun += reRun;
    if (reRun === expectedInFlight[kill.phase]) asPredicted += 1;
  }

  // Completed: every execution of the shape, and no other, succeeded with one start and one end.
  const made = JSON.stringify(Object.fromEntries([...last.logs].map(([execution, log]) => [execution, log[0]?.name]).sort()));
  check(made === JSON.stringify(Object.fromEntries(Object.entries(shape.executions).sort())), `the executions made are ${made}`);
  let completed = 0;
  for (const [execution, log] of last.logs) {
    const starts = log.filter((e) => e.type === "WORKFLOW_STARTED").length;
    const ends = log.filter((e) => e.type === "WORKFLOW_COMPLETED" || e.type === "WORKFLOW_FAILED");
    if (last.states.get(execution) === "succeeded" && starts === 1 && log[0]?.type === "WORKFLOW_STARTED" && ends.length === 1 && ends[0] === log.at(-1)) completed += 1;
    for (const type of ["TASK_STARTED", "TASK_COMPLETED"]) {
      const ids = log.filter((e) => e.type === type).map((e) => e.sourceId);
      check(ids.length === new Set(ids).size, `${execution} recorded a step's ${type} twice`);
    }
  }

  // Pauses: each answered once, by the resume aimed at it (the last aim of its value), with that
  // value, which the top returns in the pause's field.
  const lastAim = new Map(lines(join(dir, "aims")).map((line) => line.split(" ") as [string, string]));
  const paused = [...last.logs].flatMap(([execution, log]) => log.filter((e) => e.type === "TASK_PAUSED").map((e) => `${execution}#${e.sourceId}`));
  check(JSON.stringify(paused.sort()) === JSON.stringify(Object.values(shape.pauses).sort()), `the pauses recorded are ${paused.join(", ")}`);
  const answers = [...last.logs].flatMap(([execution, log]) => log.filter((e) => e.type === "TASK_RESUMED").map((e) => ({ at: `${execution}#${e.sourceId}`, value: e.value })));
  let misdirected = answers.filter((answer) => !paused.includes(answer.at)).length;
  const output = (last.logs.get(id)?.at(-1)?.value ?? {}) as Record<string, unknown>;
  for (const [field, at] of Object.entries(shape.pauses)) {
    const here = answers.filter((answer) => answer.at === at);
    const value = here[0]?.value;
    const right = here.length === 1 && typeof value === "string" && resumeValues.includes(value) && lastAim.get(value) === at
      && answers.filter((answer) => answer.value === value).length === 1 && output[field] === value;
    // A pause still waiting (its run did not finish: a problem of its own) was resolved by nothing.
    const waiting = here.length === 0 && last.states.get(at.split("#")[0]!) !== "succeeded";
    if (!right && !waiting) misdirected += 1;
    check(right, `pause ${at} was answered by ${JSON.stringify(here.map((answer) => answer.value))}, the top returned ${JSON.stringify(output[field])} for it, and the resumes aimed at it were ${JSON.stringify([...lastAim].filter(([, aim]) => aim === at).map(([v]) => v))}`);
  }

  // Sleeps: each suspended past the hold limit (its execution paused while it ran), then woken.
  let sleepsWoken = 0;
  for (const key of shape.sleeps) {
    const [execution, stepId] = key.split("#") as [string, string];
    const log = last.logs.get(execution) ?? [];
    const start = log.findIndex((e) => e.type === "TASK_STARTED" && e.sourceId === stepId);
    const end = log.findIndex((e) => e.type === "TASK_COMPLETED" && e.sourceId === stepId);
    if (start >= 0 && end > start && log.slice(start, end).some((e) => e.type === "WORKFLOW_PAUSED")) sleepsWoken += 1;
  }

  return {
    kills, lost, recordedReRun, inFlightReRun, killedStepReRun, phaseKills, asPredicted, maxRunsPerProcess,
    executions: Object.keys(shape.executions).length, completed, misdirected,
    resumesRecorded: answers.length, resumesSent: lines(join(dir, "aims")).length, resumesDropped: lines(join(dir, "dropped")).length,
    sleeps: shape.sleeps.length, sleepsWoken, firstRunMs, problems,
  };
}

/** The figures of several plans added up (the most runs of one step in one process: the maximum). */
export function totalOf(figures: readonly ComposedFigures[]) {
  const sum = (field: Exclude<keyof ComposedFigures, "problems" | "maxRunsPerProcess">) => figures.reduce((total, f) => total + f[field], 0);
  return {
    kills: sum("kills"), lost: sum("lost"), recordedReRun: sum("recordedReRun"), inFlightReRun: sum("inFlightReRun"),
    killedStepReRun: sum("killedStepReRun"), phaseKills: sum("phaseKills"), asPredicted: sum("asPredicted"), executions: sum("executions"), completed: sum("completed"), misdirected: sum("misdirected"),
    resumesRecorded: sum("resumesRecorded"), resumesSent: sum("resumesSent"), resumesDropped: sum("resumesDropped"), sleeps: sum("sleeps"), sleepsWoken: sum("sleepsWoken"),
    maxRunsPerProcess: Math.max(0, ...figures.map((f) => f.maxRunsPerProcess)),
  };
}
