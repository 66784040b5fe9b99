// The conformance suite must fail on broken stores: each mutant below breaks one guarantee,
// and the cases that cover it must reject. This keeps the suite from passing vacuously.
import { describe, expect, it } from "vitest";
import { ConflictError, ExecutionFinishedError, ExecutionNotFoundError, StoreError } from "../src/errors.js";
import { cancelRequested, childFinished, commitConflict, eventDelivered, nextSummary, waitedChildren, wakeParent } from "../src/execution-summary.js";
import { isTerminal } from "../src/events.js";
import { dueOrder } from "../src/due-order.js";
import { decodeCursor, encodeCursor, isAfter, pageSize } from "../src/list-cursor.js";
import type {
  CancelRequest, Commit, CommitOptions, DueOptions, ExecutionPage, ExecutionSummary, InboxEvent, ListOptions, StateStore, StoredEvent,
} from "../src/state-store.js";
import type { CaseContext } from "./conformance/case-context.js";
import { type ConformanceCase, runConformanceCase } from "./store-conformance.js";

type Bug = "noConflictCheck" | "nonAtomicBatch" | "oldestFirst" | "inclusiveCursor" | "closeIgnored" | "staleState"
  | "truncatesValues" | "emptyForMissingCache" | "forgetsOnReopen" | "reversedLoad" | "leaseIgnoresOwner" | "leaseStrictExpiry"
  | "noParentWake" | "noChildCheck" | "commitIgnoresLease" | "dueUnordered" | "dueIgnoresFilter" | "keepsLeaseOnSuspend" | "leaseLeavesWake"
  | "dropsWaits" | "consumesTwice" | "eventWakesNothing" | "cancelIgnored" | "forgetsCancel";

/** A straightforward store with one deliberate bug. */
class Mutant implements StateStore {
  logs = new Map<string, StoredEvent[]>();
  summaries = new Map<string, ExecutionSummary>();
  cache = new Map<string, string>();
  inbox = new Map<string, InboxEvent[]>();
  consumed = new Set<string>();
  closed = false;
  constructor(readonly bug: Bug) {}

  async commit(executionId: string, events: readonly StoredEvent[], options: CommitOptions) {
    return this.commitBatch([{ ...options, executionId, events }]);
  }
  async commitBatch(commits: readonly Commit[]) {
    this.check();
    if (this.bug !== "nonAtomicBatch") this.verify(commits);
    for (const commit of commits) {
      if (this.bug === "nonAtomicBatch") this.verify([commit]);
      if (commit.events.length === 0) continue;
      const stored = commit.events.map((e) => (this.bug === "truncatesValues" ? { ...e, value: e.value.slice(0, 65536) } : { ...e }));
      this.logs.set(commit.executionId, [...(this.logs.get(commit.executionId) ?? []), ...stored]);
      const previous = this.summaries.get(commit.executionId);
      const time = commit.events[commit.events.length - 1]!.time;
      let next = nextSummary(previous, this.bug === "dropsWaits" ? { ...commit, suspend: undefined } : commit);
      if (this.bug === "staleState" && previous) next = { ...next, state: previous.state };
      if (this.bug === "keepsLeaseOnSuspend" && previous?.lease && !isTerminal(next.state)) next = { ...next, lease: previous.lease };
      for (const seq of commit.consumes ?? []) this.consumed.add(`${commit.executionId}:${seq}`);
      if (this.bug !== "noChildCheck") next = childFinished(next, waitedChildren(commit).map((id) => this.summaries.get(id)), time, this.pendingOf(commit.executionId));
      this.summaries.set(commit.executionId, next);
      if (this.bug !== "noParentWake" && isTerminal(next.state) && !isTerminal(previous?.state ?? "created") && next.parentId !== undefined) {
        const parent = wakeParent(this.summaries.get(next.parentId), time);
        if (parent) this.summaries.set(parent.executionId, parent);
      }
    }
  }
  verify(commits: readonly Commit[]) {
    if (this.bug === "noConflictCheck") return;
    const pending = new Map<string, number>();
    const takenNow = new Set<string>();
    for (const commit of commits) {
      const { executionId, events } = commit;
      const length = pending.get(executionId) ?? this.logs.get(executionId)?.length ?? 0;
      const summary = this.summaries.get(executionId);
      const checked = this.bug === "cancelIgnored" && summary?.cancel ? { ...summary, cancel: undefined } : summary;
      const conflict = commitConflict(this.bug === "commitIgnoresLease" ? { ...commit, lease: undefined } : commit, length, checked);
      if (conflict) throw conflict;
      const pendingSeqs = new Set(this.pendingOf(executionId).map((event) => event.seq));
      if (this.bug !== "consumesTwice" && (commit.consumes ?? []).some((seq) => !pendingSeqs.has(seq) || takenNow.has(`${executionId}:${seq}`))) {
        throw new ConflictError("consumed");
      }
      for (const seq of commit.consumes ?? []) takenNow.add(`${executionId}:${seq}`);
      pending.set(executionId, length + events.length);
    }
  }
  async due(options: DueOptions) {
    this.check();
    const found = [...this.summaries.values()].filter((s) => s.wakeAt !== undefined && s.wakeAt <= options.until
      && (this.bug === "dueIgnoresFilter" || options.workflows === undefined || options.workflows.includes(s.workflow)));
    if (this.bug !== "dueUnordered") found.sort(dueOrder);
    return found.slice(0, options.limit ?? 100);
  }
  async load(id: string) {
    this.check();
    const log = (this.logs.get(id) ?? []).slice();
    return this.bug === "reversedLoad" ? log.reverse() : log;
  }
  async get(id: string) {
    this.check();
    return this.summaries.get(id);
  }
  async list(options: ListOptions = {}): Promise<ExecutionPage> {
    this.check();
    const limit = pageSize(options.limit);
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
    const sign = this.bug === "oldestFirst" ? -1 : 1;
    const all = [...this.summaries.values()]
      .filter((s) => (options.workflow === undefined || s.workflow === options.workflow) && (options.state === undefined || s.state === options.state))
      .filter((s) => after === undefined || isAfter(after, s.createdAt, s.executionId)
        || (this.bug === "inclusiveCursor" && s.executionId === after.executionId))
      .sort((a, b) => sign * (b.createdAt - a.createdAt || (a.executionId < b.executionId ? 1 : -1)));
    const executions = all.slice(0, limit);
    const last = executions[executions.length - 1];
    return all.length > limit && last ? { executions, nextCursor: encodeCursor(last) } : { executions };
  }
  async getCached(key: string) {
    this.check();
    return this.cache.get(key) ?? (this.bug === "emptyForMissingCache" ? "" : undefined);
  }
  async setCached(key: string, value: string) {
    this.check();
    this.cache.set(key, value);
  }
  async lease(id: string, owner: string, times: { now: number; expiresAt: number }) {
    this.check();
    const summary = this.summaries.get(id);
    if (summary === undefined) throw new ExecutionNotFoundError(`no execution ${id}`);
    const current = summary.lease;
    const expired = current !== undefined && (this.bug === "leaseStrictExpiry" ? current.expiresAt < times.now : current.expiresAt <= times.now);
    if (current === undefined || expired || current.owner === owner || this.bug === "leaseIgnoresOwner") {
      const lease = { owner, expiresAt: times.expiresAt };
      const wake = summary.state === "running" && this.bug !== "leaseLeavesWake" ? { wakeAt: times.expiresAt } : {};
      this.summaries.set(id, { ...summary, lease, ...wake });
    }
    const after = this.summaries.get(id)!;
    return { ...after.lease!, ...(after.cancel ? { cancel: after.cancel } : {}) };
  }
  pendingOf(id: string): InboxEvent[] {
    return (this.inbox.get(id) ?? []).filter((event) => !this.consumed.has(`${id}:${event.seq}`));
  }
  async deliver(id: string, event: Omit<InboxEvent, "seq">) {
    this.check();
    const summary = this.summaries.get(id);
    if (summary === undefined) throw new ExecutionNotFoundError(id);
    if (isTerminal(summary.state)) throw new ExecutionFinishedError(id);
    const inbox = this.inbox.get(id) ?? [];
    const delivered = { ...event, seq: inbox.length + 1 };
    this.inbox.set(id, [...inbox, delivered]);
    const due = this.bug === "eventWakesNothing" ? undefined : eventDelivered(summary, event.name, event.time);
    if (due) this.summaries.set(id, due);
    return delivered;
  }
  async pending(id: string) {
    this.check();
    return this.pendingOf(id);
  }
  async requestCancel(id: string, request: CancelRequest) {
    this.check();
    const summary = this.summaries.get(id);
    if (summary === undefined) throw new ExecutionNotFoundError(id);
    const next = cancelRequested(summary, request);
    if (next && !(this.bug === "forgetsCancel" && summary.state === "running")) this.summaries.set(id, next);
    return next ?? summary;
  }
  async close() {
    if (this.bug !== "closeIgnored") this.closed = true;
  }
  check() {
    if (this.closed) throw new StoreError("closed");
  }
}

const caught: [Bug, ConformanceCase[]][] = [
  ["noConflictCheck", ["refuses an expectedSeq that is too low and writes nothing", "refuses an expectedSeq that is too high and writes nothing",
    "checks the expectedSeq of an empty commit and writes nothing", "lets exactly one of concurrent committers win",
    "lets exactly one of two handles on the same data win, commits and leases", "writes nothing of a commitBatch with one conflicting commit"]],
  ["nonAtomicBatch", ["writes nothing of a commitBatch with one conflicting commit"]],
  ["oldestFirst", ["lists newest first, ties by id, whatever was appended later", "pages with a cursor without repeats or gaps, across inserts",
    "caps a page at 100 by default and rejects bad limits and cursors", "applies a commitBatch, two commits of one execution included"]],
  ["inclusiveCursor", ["pages with a cursor without repeats or gaps, across inserts", "caps a page at 100 by default and rejects bad limits and cursors"]],
  ["closeIgnored", ["rejects every call after close; closing twice is harmless"]],
  ["staleState", ["moves the summary through created, running, paused, running, succeeded",
    "records failure and applies the last of several state changes in one commit", "filters by workflow, by state and by both"]],
  ["truncatesValues", ["stores a 1 MB value intact"]],
  ["emptyForMissingCache", ["gets, sets and overwrites cached values"]],
  ["forgetsOnReopen", ["keeps data after close and reopen"]],
  ["leaseIgnoresOwner", ["takes, renews and gives up a lease; another owner gets it only once expired",
    "gives a free lease to exactly one of concurrent takers", "keeps data after close and reopen"]],
  ["leaseStrictExpiry", ["takes, renews and gives up a lease; another owner gets it only once expired"]],
  ["reversedLoad", ["keeps log order across commits and executions", "round-trips every event type and value kind"]],
  ["noParentWake", ["makes a paused parent due when its child finishes, in the child's commit",
    "makes a suspension due at once when a child it waits on already finished, in the same batch too"]],
  ["noChildCheck", ["makes a suspension due at once when a child it waits on already finished, in the same batch too"]],
  ["commitIgnoresLease", ["takes a lease with a commit, refuses another owner's commit while it lives, and gives it up on suspension"]],
  ["dueUnordered", ["finds due executions with one query: earliest first, by workflow, within a limit"]],
  ["dueIgnoresFilter", ["finds due executions with one query: earliest first, by workflow, within a limit"]],
  ["keepsLeaseOnSuspend", ["keeps a subworkflow's parent, a suspension's waits and wake time, and clears them on resume",
    "takes a lease with a commit, refuses another owner's commit while it lives, and gives it up on suspension"]],
  ["leaseLeavesWake", ["keeps a running execution's wake time on its lease: renewed, given up, or lapsed"]],
  ["dropsWaits", ["keeps a subworkflow's parent, a suspension's waits and wake time, and clears them on resume",
    "finds due executions with one query: earliest first, by workflow, within a limit", "keeps waits, wake times, parents and leases across reopen"]],
  ["consumesTwice", ["keeps each execution's inbox in order until commits consume it, each event once"]],
  ["eventWakesNothing", ["makes an execution waiting on an event due when one of that name arrives, or when it is already there"]],
  ["cancelIgnored", ["records a cancellation asked for: the first is kept, a paused execution is due, a running one's commits are refused until its end"]],
  ["forgetsCancel", ["records a cancellation asked for: the first is kept, a paused execution is due, a running one's commits are refused until its end",
    "keeps inboxes and cancellations across reopen"]],
];

describe("the conformance suite fails on broken stores", () => {
  for (const [bug, titles] of caught) {
    for (const title of titles) {
      it(`${bug}: ${title}`, async () => {
        const context: CaseContext = {
          create: async () => new Mutant(bug),
          reopen: async (store) => {
            await store.close();
            const reopened = new Mutant(bug);
            if (bug !== "forgetsOnReopen") {
              const { logs, summaries, cache, inbox, consumed } = store as unknown as Mutant;
              Object.assign(reopened, { logs, summaries, cache, inbox, consumed });
            }
            return reopened;
          },
          openSecond: async (store) => store,
        };
        await expect(runConformanceCase(title, context)).rejects.toThrow();
      });
    }
  }

  it("passes the same mutant class without a bug on those cases", async () => {
    const healthy = { create: async () => new Mutant("none" as Bug), reopen: async (s: StateStore) => s, openSecond: async (s: StateStore) => s };
    for (const title of new Set(caught.flatMap(([, titles]) => titles))) {
      if (title === "keeps data after close and reopen" || title === "rejects every call after close; closing twice is harmless") continue;
      await runConformanceCase(title, healthy);
    }
  });
});
