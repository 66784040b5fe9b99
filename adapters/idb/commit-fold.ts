import { ConflictError } from "../../src/errors.js";
import { isTerminal, stateAfter } from "../../src/events.js";
import { childFinished, commitConflict, commitTime, nextSummary, waitedChildren, waitedEvents, wakeParent } from "../../src/execution-summary.js";
import type { Commit, ExecutionSummary, InboxEvent } from "../../src/state-store.js";

/** What a fold read: each id it consulted, with the summary it found (`undefined`: no such execution). */
export type FoldInputs = Map<string, ExecutionSummary | undefined>;

/** The outcome of {@link foldCommits}. */
export type FoldResult =
  /**
   * The summaries to write (the changed ones), every summary the fold read, and the inbox
   * events the commits consume (by execution).
   */
  | { readonly kind: "done"; readonly written: Map<string, ExecutionSummary>; readonly inputs: FoldInputs; readonly consumed: Map<string, number[]> }
  /** Summaries the fold needs and `lookup` does not have: read them and fold again. */
  | { readonly kind: "missing"; readonly ids: string[] };

/** A summary as far as the caller knows it: `"unknown"` when it has not read it. */
export type SummaryLookup = (executionId: string) => ExecutionSummary | undefined | "unknown";

/**
 * The pending inbox events of an execution whose commit {@link needsInbox}, as read in the
 * transaction; `undefined` when they were not read (a caller's mistake: the fold throws).
 */
export type PendingLookup = (executionId: string) => readonly InboxEvent[] | undefined;

/** True when folding `commit` needs its execution's pending inbox events: it consumes some, or suspends on an event wait. */
export function needsInbox(commit: Pick<Commit, "consumes" | "suspend">): boolean {
  return (commit.consumes ?? []).length > 0 || waitedEvents(commit.suspend?.waits).length > 0;
}

/**
 * Applies `commits` in order to the summaries `lookup` gives, exactly as the reference store
 * does: `commitConflict` (throws the `ConflictError`, or `CancelRequestedError`, of the first
 * commit that may not land), the inbox check of `consumes` against `pending` (throws a
 * `ConflictError` for a seq that is not pending, counting those consumed earlier in the batch),
 * `nextSummary`, `childFinished` for a suspension (its children, and the pending events of the
 * names it waits on), and `wakeParent` for a commit that finishes an execution (its events end
 * it, as the SQL stores decide it). A later commit sees the effects of earlier ones. Pure:
 * reads nothing itself.
 *
 * The ids it needs are each commit's execution, the children a suspension waits on, and the
 * parent of an execution that finishes; the last is only known once that execution's summary
 * is, so a fold may answer `missing` for parents: the caller reads them and folds again.
 */
export function foldCommits(commits: readonly Commit[], lookup: SummaryLookup, pending: PendingLookup = () => undefined): FoldResult {
  const inputs: FoldInputs = new Map();
  const consumed = new Map<string, number[]>();
  const pendingNow = (id: string): InboxEvent[] => {
    const events = pending(id);
    if (events === undefined) throw new Error(`foldCommits: the inbox of execution ${id} was not read`);
    const gone = consumed.get(id) ?? [];
    return events.filter((event) => !gone.includes(event.seq));
  };
  const current = new Map<string, ExecutionSummary | undefined>();
  const missing = new Set<string>();
  const read = (id: string): ExecutionSummary | undefined => {
    if (current.has(id)) return current.get(id);
    const found = lookup(id);
    if (found === "unknown") {
      missing.add(id);
      return undefined;
    }
    inputs.set(id, found);
    return found;
  };
  for (const commit of commits) {
    const { executionId, events } = commit;
    const summary = read(executionId);
    if (missing.size > 0) return { kind: "missing", ids: [...missing] };
    const conflict = commitConflict(commit, summary?.events ?? 0, summary);
    if (conflict !== undefined) throw conflict;
    const seqs = commit.consumes ?? [];
    if (seqs.length > 0) {
      const open = new Set(pendingNow(executionId).map((event) => event.seq));
      const missing = seqs.find((seq) => !open.has(seq));
      if (missing !== undefined) throw new ConflictError(`execution ${executionId}'s inbox event ${missing} is unknown or already consumed: another runner consumed it`);
      consumed.set(executionId, [...(consumed.get(executionId) ?? []), ...seqs]);
    }
    if (events.length === 0) continue;
    const time = commitTime(events);
    let next = nextSummary(summary, commit);
    if (commit.suspend !== undefined) {
      const children = waitedChildren(commit).map(read);
      if (missing.size > 0) return { kind: "missing", ids: [...missing] };
      next = childFinished(next, children, time, waitedEvents(commit.suspend.waits).length > 0 ? pendingNow(executionId) : []);
    }
    current.set(executionId, next);
    if (next.parentId !== undefined && finishes(commit)) {
      const parent = wakeParent(read(next.parentId), time);
      if (parent !== undefined) current.set(parent.executionId, parent);
    }
  }
  if (missing.size > 0) return { kind: "missing", ids: [...missing] };
  const written = new Map<string, ExecutionSummary>();
  for (const [id, summary] of current) if (summary !== undefined) written.set(id, summary);
  return { kind: "done", written, inputs, consumed };
}

/** True when `commit`'s events finish the execution: their last workflow-level event completes or fails it. */
export function finishes(commit: Pick<Commit, "events">): boolean {
  return isTerminal(stateAfter("created", commit.events.map((event) => event.type)));
}

/**
 * True when two summaries say the same (field by field; waits, lease and cancel by value), so that a
 * summary remembered from an earlier transaction can be trusted as the one read now.
 */
export function sameSummary(a: ExecutionSummary | undefined, b: ExecutionSummary | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.executionId === b.executionId && a.workflow === b.workflow && a.state === b.state && a.events === b.events
    && a.createdAt === b.createdAt && a.updatedAt === b.updatedAt && a.parentId === b.parentId && a.wakeAt === b.wakeAt
    && a.lease?.owner === b.lease?.owner && a.lease?.expiresAt === b.lease?.expiresAt
    && a.cancel?.time === b.cancel?.time && a.cancel?.reason === b.cancel?.reason
    && (a.waits === b.waits || (a.waits !== undefined && b.waits !== undefined && JSON.stringify(a.waits) === JSON.stringify(b.waits)));
}
