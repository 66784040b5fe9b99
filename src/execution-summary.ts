import { CancelRequestedError, ConflictError } from "./errors.js";
import { endsExecution, isTerminal, stateAfter } from "./events.js";
import type { Commit, ExecutionSummary, InboxEvent, Lease, LeaseClaim, StoredEvent, Wait } from "./state-store.js";

/**
 * The summary of an execution after `commit` (whose events are not empty) was appended to it:
 * the reference every store follows, so that listing and finding due work never read logs.
 * `previous` is `undefined` for a new execution. It covers the execution's own row; the two
 * effects on other rows (a suspension whose child already finished, a finished child waking
 * its parent) are {@link childFinished} and {@link wakeParent}.
 */
export function nextSummary(previous: ExecutionSummary | undefined, commit: Pick<Commit, "executionId" | "events" | "lease" | "suspend" | "parentId" | "queue">): ExecutionSummary {
  const { executionId, events } = commit;
  const first = events[0];
  const last = events[events.length - 1];
  if (first === undefined || last === undefined) {
    if (previous === undefined) throw new TypeError(`an empty commit cannot create execution ${executionId}`);
    return previous;
  }
  const before = previous?.state ?? "created";
  let state = stateAfter(before, events.map((event) => event.type));
  // A start on a queue waits in it: no lease, not due, until `admit` makes it running.
  const queued = previous === undefined && commit.queue !== undefined && state === "running";
  if (queued) state = "queued";
  const entered = state !== before || previous === undefined;
  const claim = commit.lease;
  let lease: Lease | undefined = previous?.lease;
  if (state === "paused" || state === "queued" || isTerminal(state)) lease = undefined;
  else if (claim?.expiresAt !== undefined) lease = { owner: claim.owner, expiresAt: claim.expiresAt };
  let waits = previous?.waits;
  let wakeAt = previous?.wakeAt;
  if (isTerminal(state)) {
    waits = undefined;
    wakeAt = undefined;
  } else if (state === "paused") {
    if (commit.suspend !== undefined) {
      waits = commit.suspend.waits;
      wakeAt = commit.suspend.wakeAt;
    }
  } else if (state === "running") {
    waits = undefined;
    if (claim?.expiresAt !== undefined) wakeAt = claim.expiresAt;
    else if (entered) wakeAt = lease?.expiresAt ?? last.time;
  }
  const parentId = previous === undefined ? commit.parentId : previous.parentId;
  const queue = previous === undefined ? commit.queue : previous.queue;
  const cancel = isTerminal(state) ? undefined : previous?.cancel;
  return {
    executionId,
    workflow: previous?.workflow ?? first.name,
    state,
    events: (previous?.events ?? 0) + events.length,
    createdAt: previous?.createdAt ?? first.time,
    updatedAt: last.time,
    ...(parentId === undefined ? {} : { parentId }),
    ...(waits === undefined ? {} : { waits }),
    ...(wakeAt === undefined ? {} : { wakeAt }),
    ...(lease === undefined ? {} : { lease }),
    ...(cancel === undefined ? {} : { cancel }),
    ...(queue === undefined ? {} : { queue }),
  };
}

/**
 * The `ConflictError` for `commit` when the execution's log does not hold `expectedSeq` events,
 * or another owner holds a live lease; `undefined` when the commit may land. `length` is the
 * log's length (0 for an unknown execution).
 */
export function commitConflict(commit: Commit, length: number, summary: ExecutionSummary | undefined): ConflictError | undefined {
  const { executionId, expectedSeq } = commit;
  if (length !== expectedSeq) {
    return new ConflictError(`execution ${executionId} holds ${length} events, not the ${expectedSeq} this commit expected: another runner wrote to it`);
  }
  const held = summary?.lease;
  if (commit.lease !== undefined && held !== undefined && leaseBlocks(held, commit.lease)) {
    return new ConflictError(
      `execution ${executionId} is run by another runner (${held.owner}, lease until ${new Date(held.expiresAt).toISOString()}): this runner records nothing more`,
    );
  }
  if (summary?.cancel !== undefined && !commit.events.some((event) => endsExecution(event.type))) {
    return new CancelRequestedError(`execution ${executionId} is being cancelled${summary.cancel.reason === undefined ? "" : ` (${summary.cancel.reason})`}: it records nothing but its end`);
  }
  return undefined;
}

/** True when `held` keeps `claim`'s owner out: another owner's lease, live at `claim.now`. */
export function leaseBlocks(held: Lease, claim: LeaseClaim): boolean {
  return held.owner !== claim.owner && held.expiresAt > claim.now;
}

/** The ids of the subworkflows a suspending commit waits on. */
export function waitedChildren(commit: Pick<Commit, "suspend">): string[] {
  return (commit.suspend?.waits ?? []).flatMap((wait) => (wait.kind === "child" ? [wait.executionId] : []));
}

/** The names of the events a suspending commit (or a summary) waits on. */
export function waitedEvents(waits: readonly Wait[] | undefined): string[] {
  return (waits ?? []).flatMap((wait) => (wait.kind === "event" ? [wait.name] : []));
}

/**
 * `summary` (just suspended by a commit ending at `time`) made due at once when a wait of it is
 * already answered: one of the children it waits on has finished (`children` are their
 * summaries), or its inbox holds a pending event of a name it waits on (`pending`); otherwise
 * unchanged.
 */
export function childFinished(
  summary: ExecutionSummary, children: readonly (ExecutionSummary | undefined)[], time: number, pending: readonly InboxEvent[] = [],
): ExecutionSummary {
  if (summary.state !== "paused") return summary;
  const names = new Set(waitedEvents(summary.waits));
  const answered = children.some((child) => child !== undefined && isTerminal(child.state)) || pending.some((event) => names.has(event.name));
  if (!answered) return summary;
  return summary.wakeAt !== undefined && summary.wakeAt <= time ? summary : { ...summary, wakeAt: time };
}

/** The execution made due at `time` by an event named `name` delivered to it, when it is paused waiting on one; else `undefined`. */
export function eventDelivered(summary: ExecutionSummary, name: string, time: number): ExecutionSummary | undefined {
  if (summary.state !== "paused" || !waitedEvents(summary.waits).includes(name)) return undefined;
  return summary.wakeAt !== undefined && summary.wakeAt <= time ? undefined : { ...summary, wakeAt: time };
}

/**
 * The execution once its cancellation was asked for (`request`): `cancel` set (an earlier request
 * kept), and a paused or queued one made due at once; `undefined` when it ended (nothing changes).
 */
export function cancelRequested(summary: ExecutionSummary, request: NonNullable<ExecutionSummary["cancel"]>): ExecutionSummary | undefined {
  if (isTerminal(summary.state)) return undefined;
  const cancel = summary.cancel ?? request;
  const due = (summary.state === "paused" || summary.state === "queued") && (summary.wakeAt === undefined || summary.wakeAt > request.time);
  return { ...summary, cancel, ...(due ? { wakeAt: request.time } : {}) };
}

/** The parent made due at `time` (its child finished) when it is paused; `undefined` when nothing changes. */
export function wakeParent(parent: ExecutionSummary | undefined, time: number): ExecutionSummary | undefined {
  if (parent === undefined || parent.state !== "paused" || (parent.wakeAt !== undefined && parent.wakeAt <= time)) return undefined;
  return { ...parent, wakeAt: time };
}

/** The time of a commit's last event: what "now" is for the wakes it causes. */
export function commitTime(events: readonly StoredEvent[]): number {
  return events[events.length - 1]?.time ?? 0;
}
