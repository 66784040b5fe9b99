// Deterministic simulation of composed workflows: a parent with parallel branches calling a child
// that pauses and a child that sleeps past the hold limit, then a child whose own child pauses.
// Each seeded schedule drives it through store faults with fresh runners that start it, resume it
// (the value must reach the right pause), wake what is due, and stop gracefully in the middle of
// any of these. Every schedule must end as the fault-free run does, every pause must be answered
// by exactly the resume aimed at it (0 answered by anything else), and a seed replays exactly.
// The third and fourth do the same with event waits (with and without timeouts, events sent
// while the execution runs, waits, or after its wait timed out), a cancel at a random point and a
// schedule's firings (support/simulate-events.ts).
import { expect, test } from "vitest";
import {
  ConflictError, Engine, MemoryStore, NotResumableError, ShuttingDownError, StoreError, VirtualClock, task, workflow,
  type StateStore, type WorkflowExecutionContext,
} from "flux-ts";
import { FaultyStore } from "./support/faulty-store.js";
import { actWithStop, turns } from "./support/simulation-act.js";
import { seededRandom } from "./support/seeded-random.js";
import { simulateEvents } from "./support/simulate-events.js";


const work = task("sim_work", async (label: string) => {
  await turns(label.length % 3);
  return label;
});
const approval = workflow("sim_approval", async (ctx: WorkflowExecutionContext<string>) => `${await ctx.pause<string>("approve")}:${ctx.input}`);
const napper = workflow("sim_napper", async (ctx: WorkflowExecutionContext<number>) => {
  await ctx.sleep(ctx.input);
  return ctx.run(work, "woke");
});
const middle = workflow("sim_middle", async (ctx) => ctx.call(approval, "deep"));
const top = workflow("sim_top", async (ctx: WorkflowExecutionContext<number>) => {
  const [first, napped] = await ctx.parallel(
    (b) => b.call(approval, "first"),
    async (b) => b.run(work, await b.call(napper, ctx.input)),
  );
  const deep = await ctx.call(middle, null);
  await ctx.sleep(2_000);
  return { first, napped, deep, last: await ctx.run(work, "end") };
});
const workflows = [top, approval, napper, middle];
const values = ["r1", "r2"];

/** A memory store that a runner's graceful stop cannot close: the next runner opens "the same database". */
class SharedMemory extends MemoryStore {
  override async close(): Promise<void> {}
}

/** Every TASK_RESUMED of every execution, as `execution:value`, in execution-id order. */
async function resumesIn(store: StateStore): Promise<string[]> {
  const found: string[] = [];
  const ids = (await store.list({ limit: 1000 })).executions.map((s) => s.executionId).sort();
  for (const id of ids) for (const e of await store.load(id)) if (e.type === "TASK_RESUMED") found.push(`${id}:${e.value}`);
  return found;
}

const tolerated = [StoreError, ConflictError, ShuttingDownError, NotResumableError];

/** Runs the schedule of `seed` (or the fault-free reference) to its end; returns what the test compares. */
async function simulate(seed: number, faulty: boolean) {
  const random = seededRandom(seed);
  const memory = new SharedMemory();
  const store = faulty ? new FaultyStore(memory, random, { failBefore: 0.08, failAfter: 0.08, slow: 0.3 }) : memory;
  // Held sleeps (≤ the hold limit) pass at once; longer ones suspend, and a wake moves time on.
  const clock = new VirtualClock({ start: 0, auto: true });
  const id = `top-${seed}`;
  const counts = { attempts: 0, stops: 0, resumes: 0, wakes: 0 };
  let nothingToResume = false;
  for (; counts.attempts < 300; counts.attempts += 1) {
    const summary = await memory.get(id);
    if (summary?.state === "succeeded" || summary?.state === "failed") break;
    const engine = new Engine({ store, clock, holdSleepsUpTo: 1_000, workflows, onDispatchError: () => undefined });
    const delivered = (await resumesIn(memory)).length;
    const roll = faulty ? random() : 0.5;
    let action: () => Promise<unknown>;
    if (summary === undefined) action = () => top.run(5_000, { engine, executionId: id });
    else if (summary.state === "paused" && delivered < values.length && roll < 0.6 && !nothingToResume) {
      counts.resumes += 1;
      action = () => top.resume(id, values[delivered], { engine });
    } else {
      counts.wakes += 1;
      clock.advance(faulty ? Math.floor(random() * 6_000) : 6_000);
      action = () => engine.wakeDue();
    }
    const stopAfter = faulty && random() < 0.25 ? Math.floor(random() * 12) : undefined;
    if (stopAfter !== undefined) counts.stops += 1;
    const failure = await actWithStop(engine, action, stopAfter);
    nothingToResume = failure instanceof NotResumableError;
    if (failure !== undefined && !tolerated.some((kind) => failure instanceof kind)) throw failure;
  }
  const summary = await memory.get(id);
  const output = (await new Engine({ store: memory }).inspect(id))?.output;
  const executions = (await memory.list({ limit: 1000 })).executions.map((s) => s.executionId).sort();
  const logs = await Promise.all(executions.map(async (e) => (await memory.load(e)).map((ev) => `${ev.id}:${ev.type}:${ev.sourceId}`)));
  return { state: summary?.state, output, counts, resumes: await resumesIn(memory), executions, logs, injected: store instanceof FaultyStore ? store.injected : 0 };
}

test("composed workflows through faults, stops, resumes and wakes end as the fault-free run does", async () => {
  const reference = await simulate(0, false);
  expect(reference.state).toBe("succeeded");
  expect(reference.output).toEqual({ first: "r1:first", napped: "woke", deep: "r2:deep", last: "end" });
  const base = Number(process.env.FLUX_SIM_SEED ?? 1);
  const runs = Number(process.env.FLUX_SIM_RUNS ?? (process.env.FLUX_TEST_FULL ? 1000 : 150));
  const totals = { faults: 0, stops: 0, resumes: 0, wakes: 0, misdirected: 0 };
  for (let seed = base; seed < base + runs; seed++) {
    try {
      const run = await simulate(seed, true);
      expect(run.state).toBe("succeeded");
      expect(run.output).toEqual(reference.output);
      expect(run.executions).toEqual(reference.executions.map((e) => e.replace("top-0", `top-${seed}`)).sort());
      // Each pause answered exactly once, by the resume aimed at it, with its value.
      expect(run.resumes).toEqual([`top-${seed}.1.1.1:"r1"`, `top-${seed}.2.1:"r2"`]);
      totals.misdirected += run.resumes.filter((r) => !r.endsWith('"r1"') && !r.endsWith('"r2"')).length;
      for (const log of run.logs) {
        expect(log.map((line) => Number(line.split(":")[0]))).toEqual(log.map((_, i) => i));
        expect(log.filter((line) => line.includes(":WORKFLOW_STARTED:"))).toHaveLength(1);
        expect(log.filter((line) => /:WORKFLOW_(COMPLETED|FAILED):/.test(line))).toHaveLength(1);
      }
      totals.faults += run.injected;
      totals.stops += run.counts.stops;
      totals.resumes += run.counts.resumes;
      totals.wakes += run.counts.wakes;
    } catch (error) {
      throw new Error(`composition seed ${seed} failed; replay it with FLUX_SIM_SEED=${seed} FLUX_SIM_RUNS=1: ${String(error)}`, { cause: error });
    }
  }
  console.log(`composition simulation: ${runs} schedules, ${totals.faults} store faults, ${totals.stops} graceful stops, ${totals.resumes} resume attempts, ${totals.wakes} dispatcher passes; pauses answered by anything but their resume: ${totals.misdirected}`);
  expect(totals.stops).toBeGreaterThan(runs / 10);
  expect(totals.faults).toBeGreaterThan(runs / 2);
}, 240_000);

test("a composed seed replays exactly: same faults, same stops, same logs", async () => {
  for (let seed = 3; seed < 23; seed++) {
    const [a, b] = [await simulate(seed, true), await simulate(seed, true)];
    expect(b, `seed ${seed}`).toEqual(a);
  }
});

test("event waits, a cancel and schedule firings through faults, stops and wakes: no event lost or taken twice, no step after the cancel", async () => {
  const base = Number(process.env.FLUX_SIM_SEED ?? 1);
  const runs = Number(process.env.FLUX_SIM_RUNS ?? (process.env.FLUX_TEST_FULL ? 1000 : 150));
  const totals = { faults: 0, stops: 0, sends: 0, running: 0, paused: 0, ended: 0, timedOut: 0, cancelledMidway: 0, firings: 0, refused: 0, lost: 0, twice: 0, afterCancel: 0 };
  for (let seed = base; seed < base + runs; seed++) {
    try {
      const run = await simulateEvents(seed);
      const { plain, timed, stepper } = run.names;
      // Every event sent was kept once: taken by exactly one wait, or still in the inbox; never both, never twice.
      // Only one sent after its execution ended was refused (and is nowhere).
      for (const { payload } of run.events) {
        const taken = run.received.get(payload) ?? 0;
        const kept = run.pending.get(payload) ?? 0;
        if (taken + kept === 0 && !run.refused.has(payload)) totals.lost += 1;
        if (taken + kept > 1 || (taken + kept === 1 && run.refused.has(payload))) totals.twice += 1;
      }
      expect([...run.received.keys(), ...run.pending.keys(), ...run.refused].sort()).toEqual(run.events.map((e) => e.payload).sort());
      expect([...run.refused].every((payload) => payload.startsWith("t-"))).toBe(true);
      totals.refused += run.refused.size;
      // Without timeouts every event is taken, x's by the two parallel waits, z by the last.
      expect(run.states.get(plain)).toBe("succeeded");
      const [x1, x2, z] = run.outputs.get(plain) as string[];
      expect([x1, x2].sort()).toEqual(["p-x1", "p-x2"]);
      expect(z).toBe("p-z");
      // With timeouts: each wait ends once, with its event or timed out; an event that came too late stays in the inbox.
      expect(run.states.get(timed)).toBe("succeeded");
      const timedLog = run.logs.get(timed)!;
      const waits = timedLog.filter((e) => e.type === "EVENT_WAIT_STARTED").map((e) => e.sourceId);
      expect(waits.sort()).toEqual(["2.1.1", "2.2.1", "4"]);
      for (const step of waits) {
        expect(timedLog.filter((e) => e.sourceId === step && (e.type === "EVENT_RECEIVED" || e.type === "EVENT_WAIT_TIMED_OUT")), `wait ${step}`).toHaveLength(1);
      }
      const timedOut = timedLog.filter((e) => e.type === "EVENT_WAIT_TIMED_OUT").length;
      totals.timedOut += timedOut;
      expect((run.outputs.get(timed) as unknown[]).filter((v) => v === null)).toHaveLength(timedOut);
      // The cancel: no step body began once it was durable; a cancelled run ends WORKFLOW_CANCELLED.
      totals.afterCancel += run.bodies.filter((b) => b.key.startsWith(`${stepper}#`) && b.cancelDurable).length;
      const stepsLog = run.logs.get(stepper)!;
      if (run.states.get(stepper) === "cancelled") {
        expect(stepsLog.at(-1)?.type).toBe("WORKFLOW_CANCELLED");
        if (!stepsLog.some((e) => e.type === "TASK_COMPLETED" && e.value === "step 7")) totals.cancelledMidway += 1;
      } else {
        expect(run.states.get(stepper)).toBe("succeeded");
      }
      // Firings: one execution per firing time (a multiple of the period), each started and ended once.
      const firings = run.ids.filter((id) => id.startsWith("sim_tick:"));
      expect(firings.length).toBeGreaterThanOrEqual(2);
      for (const id of firings) {
        expect(Date.parse(id.slice("sim_tick:".length)) % run.every, id).toBe(0);
        expect(run.states.get(id), id).toBe("succeeded");
      }
      totals.firings += firings.length;
      for (const [id, log] of run.logs) {
        expect(log.map((e) => e.id), id).toEqual(log.map((_, i) => i));
        expect(log.filter((e) => e.type === "WORKFLOW_STARTED"), id).toHaveLength(1);
        expect(log.filter((e) => /^WORKFLOW_(COMPLETED|FAILED|CANCELLED)$/.test(e.type)), id).toHaveLength(1);
        for (const type of ["TASK_STARTED", "TASK_COMPLETED", "EVENT_WAIT_STARTED", "EVENT_RECEIVED"]) {
          const steps = log.filter((e) => e.type === type).map((e) => e.sourceId);
          expect(steps.length, `${id}: a step's ${type} twice`).toBe(new Set(steps).size);
        }
      }
      totals.faults += run.injected;
      totals.stops += run.counts.stops;
      totals.sends += run.counts.sends;
      totals.running += run.counts.sentWhile.running;
      totals.paused += run.counts.sentWhile.paused;
      totals.ended += run.counts.sentWhile.ended;
    } catch (error) {
      throw new Error(`events seed ${seed} failed; replay it with FLUX_SIM_SEED=${seed} FLUX_SIM_RUNS=1: ${String(error)}`, { cause: error });
    }
  }
  console.log([
    `events simulation: ${runs} schedules, ${totals.faults} store faults, ${totals.stops} graceful stops, ${totals.sends} sends`,
    `  (${totals.running} while the execution ran, ${totals.paused} while it waited, ${totals.ended} after it ended; ${totals.refused} of those refused), ${totals.timedOut} waits timed out,`,
    `  ${totals.cancelledMidway} executions cancelled mid-way, ${totals.firings} firings`,
    `  events lost: ${totals.lost}, events taken twice or kept twice: ${totals.twice}, step bodies begun after the cancel was durable: ${totals.afterCancel}`,
  ].join("\n"));
  expect(totals).toMatchObject({ lost: 0, twice: 0, afterCancel: 0 });
  expect(totals.cancelledMidway).toBeGreaterThan(runs / 10);
  expect(totals.timedOut).toBeGreaterThan(0);
  expect(totals.running).toBeGreaterThan(0);
}, 240_000);

test("an events seed replays exactly: same faults, same logs", async () => {
  for (let seed = 3; seed < 13; seed++) {
    const [a, b] = [await simulateEvents(seed), await simulateEvents(seed)];
    expect(b, `seed ${seed}`).toEqual(a);
  }
});
