// The events, cancellation and schedules simulation of test/simulation-composition.test.ts: three
// executions and a schedule driven through store faults by fresh runners, each seeded schedule of
// actions picking, at each attempt, one of: start what is missing, send the next event (while
// its execution runs a step, waits, or after a wait timed out), cancel the execution of steps,
// move the clock on and run a dispatcher pass (timeouts, wakes, firings), with a graceful stop
// in the middle of any of them. `simulateEvents` returns what the invariants are checked on.
import {
  ConflictError, Engine, ExecutionFinishedError, MemoryStore, NotResumableError, ShuttingDownError, StoreError, VirtualClock, decodeValue, isTerminal, task, workflow,
  type StateStore, type WorkflowExecutionContext,
} from "flux-ts";
import { schedule } from "flux-ts/schedules";
import { FaultyStore } from "./faulty-store.js";
import { actWithStop, turns } from "./simulation-act.js";
import { seededRandom } from "./seeded-random.js";


/** What the bodies of the simulation saw, for the one simulation running (they run one at a time). */
const seen = { memory: undefined as MemoryStore | undefined, bodies: [] as { key: string; cancelDurable: boolean }[] };

const work = task.withContext("sim_ev_work", async (tc, label: string) => {
  // Was a cancellation of this execution durable when this body began?
  const summary = await seen.memory!.get(tc.executionId);
  seen.bodies.push({ key: `${tc.executionId}#${tc.stepId}`, cancelDurable: summary?.cancel !== undefined || summary?.state === "cancelled" });
  await turns(label.length % 3);
  return label;
});

/** Two waits for "x" in parallel branches, a step, a wait for "z"; each wait with the input's timeout, if any. */
const waiter = workflow("sim_ev_waiter", async (ctx: WorkflowExecutionContext<{ timeout?: number }>) => {
  const options = ctx.input.timeout === undefined ? {} : { timeout: ctx.input.timeout };
  await ctx.run(work, "before");
  const [x1, x2] = await ctx.parallel((b) => b.waitForEvent<string>("x", options), (b) => b.waitForEvent<string>("x", options));
  await ctx.run(work, "between");
  const z = await ctx.waitForEvent<string>("z", options);
  return [x1 ?? null, x2 ?? null, z ?? null];
});

/** Eight steps, one after another: the execution the simulation cancels at a random point. */
const steps = workflow("sim_ev_steps", async (ctx) => {
  for (let i = 0; i < 8; i++) await ctx.run(work, `step ${i}`);
  return "all steps";
});

const ticker = workflow("sim_ev_tick", async (ctx) => ctx.run(work, "tick"));
const every = 5_000;
const ticking = schedule(ticker, { name: "sim_tick", every });

/** The events the simulation sends: to the waiter without timeouts (each one taken), and with (some may time out first). */
const plan = (seed: number) => [
  { to: `plain-${seed}`, name: "x", payload: "p-x1" }, { to: `plain-${seed}`, name: "x", payload: "p-x2" }, { to: `plain-${seed}`, name: "z", payload: "p-z" },
  { to: `timed-${seed}`, name: "x", payload: "t-x1" }, { to: `timed-${seed}`, name: "z", payload: "t-z" },
];

const tolerated = [StoreError, ConflictError, ShuttingDownError, NotResumableError];

/** Every EVENT_RECEIVED and pending inbox event of the store, by payload. */
async function deliveries(store: StateStore, ids: readonly string[]) {
  const received = new Map<string, number>();
  const pending = new Map<string, number>();
  for (const id of ids) {
    for (const e of await store.load(id)) {
      if (e.type !== "EVENT_RECEIVED") continue;
      const payload = (decodeValue(e.value) as { payload: string }).payload;
      received.set(payload, (received.get(payload) ?? 0) + 1);
    }
    for (const e of await store.pending(id)) pending.set(decodeValue(e.payload) as string, (pending.get(decodeValue(e.payload) as string) ?? 0) + 1);
  }
  return { received, pending };
}

/** Runs the schedule of `seed` to its end; returns what the test checks. */
export async function simulateEvents(seed: number) {
  const random = seededRandom(seed);
  const memory = new MemoryStore();
  memory.close = async () => {}; // a runner's graceful stop leaves "the database" to the next one
  seen.memory = memory;
  seen.bodies = [];
  const store = new FaultyStore(memory, random, { failBefore: 0.08, failAfter: 0.08, slow: 0.3 });
  const clock = new VirtualClock({ start: 0, auto: true });
  const [plain, timed, stepper] = [`plain-${seed}`, `timed-${seed}`, `steps-${seed}`];
  const events = plan(seed);
  const counts = { attempts: 0, stops: 0, sends: 0, cancels: 0, wakes: 0, sentWhile: { running: 0, paused: 0, ended: 0 } };
  const cancelAt = Math.floor(random() * 30);
  let cancelAcked = false;
  /** Events refused because their execution had ended (ExecutionFinishedError). */
  const refused = new Set<string>();
  for (; counts.attempts < 400; counts.attempts += 1) {
    const summaries = await Promise.all([plain, timed, stepper].map((id) => memory.get(id)));
    const firings = (await memory.list({ limit: 1000 })).executions.filter((s) => s.workflow === "sim_ev_tick");
    const { received, pending } = await deliveries(memory, [plain, timed]);
    const unsent = events.filter((e) => !received.has(e.payload) && !pending.has(e.payload) && !refused.has(e.payload));
    const done = summaries.every((s) => s !== undefined && isTerminal(s.state)) && unsent.length === 0 && firings.length >= 2 && firings.every((s) => isTerminal(s.state));
    if (done) break;
    const engine = new Engine({ store, clock, holdSleepsUpTo: 1_000, workflows: [waiter, steps], schedules: [ticking], onDispatchError: () => undefined });
    const roll = random();
    let action: () => Promise<unknown>;
    if (summaries[0] === undefined) action = () => waiter.run({}, { engine, executionId: plain });
    else if (summaries[1] === undefined) action = () => waiter.run({ timeout: 4_000 }, { engine, executionId: timed });
    else if (summaries[2] === undefined) action = () => steps.run(null, { engine, executionId: stepper });
    else if (!cancelAcked && counts.attempts >= cancelAt && roll < 0.3) {
      counts.cancels += 1;
      action = async () => {
        await engine.cancel(stepper, "simulated");
        cancelAcked = true;
      };
    } else if (unsent.length > 0 && roll < 0.65) {
      // The next event in order, sent whatever its execution is doing.
      const next = unsent[0]!;
      const state = (await memory.get(next.to))!.state;
      counts.sends += 1;
      counts.sentWhile[state === "running" ? "running" : state === "paused" ? "paused" : "ended"] += 1;
      action = () => engine.sendEvent(next.to, next.name, next.payload).catch((error: unknown) => {
        if (!(error instanceof ExecutionFinishedError)) throw error;
        refused.add(next.payload);
      });
    } else {
      counts.wakes += 1;
      clock.advance(Math.floor(random() * 3_000));
      action = () => engine.wakeDue();
    }
    const stopAfter = random() < 0.25 ? Math.floor(random() * 12) : undefined;
    if (stopAfter !== undefined) counts.stops += 1;
    const failure = await actWithStop(engine, action, stopAfter);
    if (failure !== undefined && !tolerated.some((kind) => failure instanceof kind)) throw failure;
  }
  const ids = (await memory.list({ limit: 1000 })).executions.map((s) => s.executionId).sort();
  const logs = new Map<string, { id: number; type: string; sourceId: string; value: unknown }[]>();
  for (const id of ids) logs.set(id, (await memory.load(id)).map((e) => ({ id: e.id, type: e.type, sourceId: e.sourceId, value: decodeValue(e.value) })));
  const states = new Map(await Promise.all(ids.map(async (id) => [id, (await memory.get(id))?.state] as const)));
  const outputs = new Map(await Promise.all([plain, timed, stepper].map(async (id) => [id, (await new Engine({ store: memory }).inspect(id))?.output] as const)));
  return {
    counts, ids, logs, states, outputs, events, refused, bodies: [...seen.bodies], cancelAcked, clock: clock.now(), every,
    ...(await deliveries(memory, [plain, timed])), injected: store.injected,
    names: { plain, timed, stepper },
  };
}
