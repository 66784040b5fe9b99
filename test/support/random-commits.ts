import { expect } from "vitest";
import { ExecutionEventType as T, isTerminal, stateAfter, type ExecutionState } from "../../src/events.js";
import { MemoryStore } from "../../src/memory-store.js";
import type { Commit, StateStore } from "../../src/state-store.js";
import { T0 } from "../conformance/case-context.js";
import { eventNames, randomClaim, randomConsumes, randomEvents, randomSuspension } from "./random-operations.js";
import { seededRandom } from "./seeded-random.js";

/**
 * The slots of executions, and which slot's execution is whose subworkflow (the child's first
 * commit carries its parent). Once a slot's execution finished, the slot moves on to a new
 * execution (`c0~1`, `c0~2`, ...), so that every step has executions to commit to.
 */
const parentSlots: Readonly<Record<string, string>> = { c0: "p0", c1: "p0", c2: "p1", c3: "c0" };
const slots = ["p0", "p1", "c0", "c1", "c2", "c3", "x"];
const slotOf = (id: string) => id.split("~")[0]!;

/** How many of the interesting things a run did, so that a test can insist they happened. */
export interface RandomRunStats {
  commits: number;
  batches: number;
  seqConflicts: number;
  leaseConflicts: number;
  suspensions: number;
  childWaits: number;
  finishedChildren: number;
  /** Commits that woke a paused parent (it had no earlier wake time) by finishing a child. */
  parentWakes: number;
  leaseCalls: number;
  /** Events delivered, and those that woke an execution paused waiting on their name. */
  deliveries: number;
  deliveryWakes: number;
  /** Suspensions on event waits that were due at once (an event of a waited name was pending). */
  eventWaitWakes: number;
  /** Commits that consumed inbox events, and those refused because one was not pending. */
  consumes: number;
  consumeConflicts: number;
  cancelRequests: number;
  /** Commits refused with CancelRequestedError, and executions that ended cancelled. */
  cancelRefusals: number;
  cancelled: number;
}

/**
 * Drives `store` and the reference `MemoryStore` with the same `steps` random operations (seeded:
 * a failure replays), and expects the same outcome of each (resolved, or the same error class
 * and message), the same summaries of the executions it touched and their parents, and every
 * 20 operations and at the end the same summaries of all and the same due lists.
 *
 * The operations: commits and batches of up to 3 commits, with random lease claims (two owners,
 * with and without expiresAt), wrong expectedSeqs, suspensions on pauses, timers and children
 * (finished, running or unknown ones), resumes, finishes of subworkflows whose parents may be
 * paused, and `lease` calls; events delivered to executions (paused ones waiting on them, or
 * not), suspensions on event waits (with and without a timeout), commits that consume pending
 * inbox events (or ones that are not pending), cancellations asked for, and ends by
 * WORKFLOW_CANCELLED; `pending` inboxes are compared with the summaries. Executions stop
 * receiving commits once finished (the engine never appends to a finished log; see the store
 * report about the reference on that point).
 */
export async function expectSameAsReference(store: StateStore, seed: number, steps = 300): Promise<RandomRunStats> {
  const reference = new MemoryStore();
  const random = seededRandom(seed);
  const below = (n: number) => Math.floor(random() * n);
  const pick = <V>(items: readonly V[]): V => items[below(items.length)]!;
  const stats: RandomRunStats = {
    commits: 0, batches: 0, seqConflicts: 0, leaseConflicts: 0, suspensions: 0, childWaits: 0, finishedChildren: 0, parentWakes: 0, leaseCalls: 0,
    deliveries: 0, deliveryWakes: 0, eventWaitWakes: 0, consumes: 0, consumeConflicts: 0, cancelRequests: 0, cancelRefusals: 0, cancelled: 0,
  };
  let time = T0;
  const current = new Map(slots.map((slot) => [slot, slot]));
  const ids: string[] = [...slots];
  const parents = new Map<string, string>();

  const same = async (what: string, run: (s: StateStore) => Promise<unknown>) => {
    const [mine, theirs] = await Promise.all([settle(run(store)), settle(run(reference))]);
    expect(mine, what).toEqual(theirs);
    return theirs;
  };
  const compareAll = async (label: string) => {
    for (const id of ids) {
      expect(await store.get(id), `${label}: summary of ${id}`).toEqual(await reference.get(id));
      expect(await store.pending(id), `${label}: inbox of ${id}`).toEqual(await reference.pending(id));
    }
    const until = time + 2000;
    expect((await store.due({ until })).map((s) => s.executionId), `${label}: due`).toEqual((await reference.due({ until })).map((s) => s.executionId));
    expect(await store.due({ until, workflows: ["sub"] }), `${label}: due of sub`).toEqual(await reference.due({ until, workflows: ["sub"] }));
  };

  for (let step = 1; step <= steps; step += 1) {
    time += 1 + below(60);
    if (random() < 0.08) {
      const id = pick(ids);
      const owner = pick(["A", "B"]);
      const times = { now: time, expiresAt: time + pick([0, 100, 1000]) };
      stats.leaseCalls += 1;
      await same(`step ${step}: lease ${id}`, (s) => s.lease(id, owner, times));
      continue;
    }
    if (random() < 0.1) {
      const waiting = [];
      for (const other of ids) if ((await reference.get(other))?.waits?.some((wait) => wait.kind === "event")) waiting.push(other);
      const id = random() < 0.05 ? "nobody" : waiting.length > 0 && random() < 0.5 ? pick(waiting) : pick(ids);
      const event = { name: pick(eventNames), payload: JSON.stringify({ step }), time };
      const before = await reference.get(id);
      stats.deliveries += 1;
      await same(`step ${step}: deliver ${event.name} to ${id}`, (s) => s.deliver(id, event));
      if (before?.wakeAt !== (await reference.get(id))?.wakeAt) stats.deliveryWakes += 1;
      expect(await store.get(id), `after step ${step}: summary of ${id}`).toEqual(await reference.get(id));
      continue;
    }
    if (random() < 0.03) {
      const id = random() < 0.05 ? "nobody" : pick(ids);
      const request = { ...(random() < 0.5 ? { reason: `reason ${step}` } : {}), time };
      stats.cancelRequests += 1;
      await same(`step ${step}: requestCancel ${id}`, (s) => s.requestCancel(id, request));
      continue;
    }
    const commits: Commit[] = [];
    const consumed = new Set<string>();
    const eventWaiters: string[] = [];
    const pending = new Map<string, { length: number; state: ExecutionState | undefined }>();
    for (const slot of slots) {
      // A slot moves on once its execution finished, or its parent did (the child is left as it is).
      const id = current.get(slot)!;
      const state = (await reference.get(id))?.state;
      const parentState = parents.has(id) ? (await reference.get(parents.get(id)!))?.state : undefined;
      if (!(state !== undefined && isTerminal(state)) && !(parentState !== undefined && isTerminal(parentState))) continue;
      const next = `${slot}~${ids.filter((id) => slotOf(id) === slot).length}`;
      current.set(slot, next);
      ids.push(next);
    }
    const size = random() < 0.25 ? 2 + below(2) : 1;
    for (let k = 0; k < size; k += 1) {
      const live = [];
      for (const id of current.values()) {
        const known = pending.get(id) ?? { length: (await reference.get(id))?.events ?? 0, state: (await reference.get(id))?.state };
        if (known.state === undefined || !isTerminal(known.state)) live.push({ id, ...known });
      }
      if (live.length === 0) break;
      const { id, length, state } = pick(live);
      const parentSlot = parentSlots[slotOf(id)];
      if (length === 0 && parentSlot !== undefined && !parents.has(id)) parents.set(id, current.get(parentSlot)!);
      const workflow = parentSlot === undefined ? "wf" : "sub";
      const expectedSeq = random() < 0.07 ? Math.max(0, length + pick([-1, 1])) : length;
      const cancelling = (await reference.get(id))?.cancel !== undefined;
      const events = randomEvents(id, workflow, expectedSeq, state, cancelling, time, below, pick);
      const inbox = (await reference.pending(id)).map((event) => event.seq).filter((seq) => !consumed.has(`${id}:${seq}`));
      const consumes = events.length === 0 ? undefined
        : inbox.length > 0 && random() < 0.5 ? randomConsumes(inbox, random, pick)
        : random() < 0.03 ? [pick([1, 2, 40])] : undefined;
      for (const seq of consumes ?? []) consumed.add(`${id}:${seq}`);
      if (consumes !== undefined) stats.consumes += 1;
      const lease = randomClaim(time, random, pick);
      const types = events.map((e) => e.type);
      const after = stateAfter(state ?? "created", types);
      const suspend = after === "paused" && types.includes(T.WORKFLOW_PAUSED) ? randomSuspension(id, below(5) === 0 ? ids : [...current.values()], time, below, pick) : undefined;
      const waitsOnEvents = suspend?.waits.some((wait) => wait.kind === "event") === true;
      if (suspend !== undefined) stats.suspensions += 1;
      if (suspend?.waits.some((w) => w.kind === "child")) stats.childWaits += 1;
      if (isTerminal(after) && parents.has(id)) stats.finishedChildren += 1;
      const parentId = expectedSeq === 0 ? parents.get(id) : undefined;
      commits.push({
        executionId: id, events, expectedSeq,
        ...(lease === undefined ? {} : { lease }),
        ...(suspend === undefined ? {} : { suspend }),
        ...(parentId === undefined ? {} : { parentId }),
        ...(consumes === undefined ? {} : { consumes }),
      });
      if (waitsOnEvents) eventWaiters.push(id);
      pending.set(id, { length: expectedSeq + events.length, state: events.length === 0 ? state : after });
    }
    stats.commits += commits.length;
    if (commits.length > 1) stats.batches += 1;
    const single = commits.length === 1 && random() < 0.5;
    const sleepingParents = new Set<string>();
    for (const { executionId } of commits) {
      const parent = parents.has(executionId) ? await reference.get(parents.get(executionId)!) : undefined;
      if (parent?.state === "paused" && parent.wakeAt === undefined) sleepingParents.add(parent.executionId);
    }
    const outcome = await same(`step ${step}: ${JSON.stringify(commits.map(({ executionId, expectedSeq, lease }) => ({ executionId, expectedSeq, lease })))}`,
      (s) => (single ? s.commit(commits[0]!.executionId, commits[0]!.events, commits[0]!) : s.commitBatch(commits)));
    if (outcome.error?.includes("is run by another runner")) stats.leaseConflicts += 1;
    else if (outcome.error?.includes("events, not the")) stats.seqConflicts += 1;
    else if (outcome.error?.includes("already consumed")) stats.consumeConflicts += 1;
    else if (outcome.error === "CancelRequestedError") stats.cancelRefusals += 1;
    if (outcome.error === undefined) {
      for (const id of eventWaiters) if ((await reference.get(id))?.wakeAt === time) stats.eventWaitWakes += 1;
      stats.cancelled += commits.filter((commit) => commit.events.some((event) => event.type === T.WORKFLOW_CANCELLED)).length;
    }
    for (const id of sleepingParents) if ((await reference.get(id))?.wakeAt !== undefined) stats.parentWakes += 1;
    // The touched executions and their parents now; everything every 20 steps.
    const touched = new Set(commits.flatMap(({ executionId }) => [executionId, ...(parents.has(executionId) ? [parents.get(executionId)!] : [])]));
    for (const id of touched) expect(await store.get(id), `after step ${step}: summary of ${id}`).toEqual(await reference.get(id));
    if (step % 20 === 0) await compareAll(`after step ${step}`);
  }
  await compareAll("at the end");
  return stats;
}

/**
 * Expects every kind of interesting thing counted in {@link RandomRunStats} to have happened in
 * at least one of `runs`, so that a random test never passes for lack of the case it is about.
 */
export function expectEveryKind(runs: readonly RandomRunStats[]): void {
  const keys = Object.keys(runs[0] ?? {}) as (keyof RandomRunStats)[];
  const missing = keys.filter((key) => runs.every((stats) => stats[key] === 0));
  expect(missing, "kinds of operation that no run did: pick other seeds or more steps").toEqual([]);
}

async function settle(promise: Promise<unknown>): Promise<{ value?: unknown; error?: string }> {
  try {
    return { value: await promise };
  } catch (error) {
    // A conflict is named as the reference names it (which execution, which reason); other
    // errors only by class: their messages name the store. (The Chromium test's page store
    // puts "[in Chromium] " before a message.)
    const { name, message } = error as Error;
    return { error: name === "ConflictError" ? `${name}: ${message.replace(/^\[in [^\]]+\] /, "")}` : name };
  }
}
