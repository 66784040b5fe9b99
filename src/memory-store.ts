import { ConflictError, ExecutionFinishedError, ExecutionNotFoundError, StoreError, UsageError } from "./errors.js";
import {
  cancelRequested, childFinished, commitConflict, commitTime, eventDelivered, nextSummary, waitedChildren, wakeParent,
} from "./execution-summary.js";
import { endsExecution, isTerminal } from "./events.js";
import { decodeCursor, encodeCursor, isAfter, pageSize } from "./list-cursor.js";
import { dueOrder, dueSize } from "./due-order.js";
import { admissionRoom, rateRetryAt, type Queue } from "./queue.js";
import type {
  Admission, AdmitOptions, CancelRequest, Commit, CommitOptions, DueOptions, ExecutionPage, ExecutionSummary, InboxEvent, Lease, ListOptions, LoadPage, StateStore, StoredEvent,
} from "./state-store.js";

/**
 * The reference {@link StateStore}: everything in this realm's memory, gone with it.
 * Atomic and conflict-checked like every other store; the core's own tests run on it.
 *
 * @example
 * const engine = new Engine({ store: new MemoryStore() });
 */
export class MemoryStore implements StateStore {
  readonly #logs = new Map<string, StoredEvent[]>();
  readonly #summaries = new Map<string, ExecutionSummary>();
  readonly #cache = new Map<string, string>();
  /** Each execution's inbox, and the seqs its commits consumed. */
  readonly #inbox = new Map<string, { events: InboxEvent[]; consumed: Set<number> }>();
  /** Each queued start's place in its queue, and its admission (time, runner) once admitted. */
  readonly #places = new Map<string, { seq: number; admittedAt?: number; admittedBy?: string }>();
  #queueSeq = 0;
  #closed = false;

  async commit(executionId: string, events: readonly StoredEvent[], options: CommitOptions): Promise<void> {
    return this.commitBatch([{ ...options, executionId, events }]);
  }

  async commitBatch(commits: readonly Commit[]): Promise<void> {
    this.#assertOpen();
    // Everything is checked and computed on a copy of the touched summaries first, so a batch
    // with one bad commit writes nothing.
    const summaries = new Map<string, ExecutionSummary | undefined>();
    const lengths = new Map<string, number>();
    const consumed = new Map<string, number[]>();
    const read = (id: string) => (summaries.has(id) ? summaries.get(id) : this.#summaries.get(id));
    for (const commit of commits) {
      const { executionId, events, expectedSeq } = commit;
      events.forEach((event, i) => {
        if (event.id !== expectedSeq + i) {
          throw new UsageError(`execution ${executionId}: event ${i} of a commit at ${expectedSeq} has id ${event.id}, not ${expectedSeq + i}`);
        }
      });
      const length = lengths.get(executionId) ?? this.#logs.get(executionId)?.length ?? 0;
      const conflict = commitConflict(commit, length, read(executionId)) ?? this.#consumable(executionId, commit.consumes ?? [], consumed);
      if (conflict !== undefined) throw conflict;
      lengths.set(executionId, length + events.length);
      if (events.length === 0) continue;
      const time = commitTime(events);
      let summary = nextSummary(read(executionId), commit);
      if (commit.suspend !== undefined) summary = childFinished(summary, waitedChildren(commit).map(read), time, this.#pendingOf(executionId, consumed));
      summaries.set(executionId, summary);
      if (events.some((event) => endsExecution(event.type)) && summary.parentId !== undefined) {
        const parent = wakeParent(read(summary.parentId), time);
        if (parent !== undefined) summaries.set(parent.executionId, parent);
      }
    }
    for (const { executionId, events } of commits) {
      if (events.length === 0) continue;
      const log = this.#logs.get(executionId) ?? [];
      for (const event of events) log.push({ ...event });
      this.#logs.set(executionId, log);
    }
    for (const [id, summary] of summaries) {
      if (summary === undefined) continue;
      if (summary.queue !== undefined && !this.#places.has(id)) this.#places.set(id, { seq: ++this.#queueSeq });
      this.#summaries.set(id, summary);
    }
    for (const [id, seqs] of consumed) for (const seq of seqs) this.#inbox.get(id)?.consumed.add(seq);
  }

  async deliver(executionId: string, event: Omit<InboxEvent, "seq">): Promise<InboxEvent> {
    this.#assertOpen();
    const summary = this.#summaries.get(executionId);
    if (summary === undefined) throw new ExecutionNotFoundError(`no execution ${executionId} in the memory store to send an event to`);
    if (isTerminal(summary.state)) throw new ExecutionFinishedError(`execution ${executionId} has ended (${summary.state}): the event "${event.name}" has nothing to reach`);
    const inbox = this.#inbox.get(executionId) ?? { events: [], consumed: new Set<number>() };
    this.#inbox.set(executionId, inbox);
    const delivered = { ...event, seq: inbox.events.length + 1 };
    inbox.events.push(delivered);
    const due = eventDelivered(summary, event.name, event.time);
    if (due !== undefined) this.#summaries.set(executionId, due);
    return delivered;
  }

  async pending(executionId: string): Promise<InboxEvent[]> {
    this.#assertOpen();
    return this.#pendingOf(executionId, new Map());
  }

  async requestCancel(executionId: string, request: CancelRequest): Promise<ExecutionSummary> {
    this.#assertOpen();
    const summary = this.#summaries.get(executionId);
    if (summary === undefined) throw new ExecutionNotFoundError(`no execution ${executionId} in the memory store to cancel`);
    const next = cancelRequested(summary, request);
    if (next !== undefined) this.#summaries.set(executionId, next);
    return next ?? summary;
  }

  /** The pending inbox events of `executionId`, counting `consumed` (this batch's) as consumed too. */
  #pendingOf(executionId: string, consumed: ReadonlyMap<string, readonly number[]>): InboxEvent[] {
    const inbox = this.#inbox.get(executionId);
    const now = consumed.get(executionId) ?? [];
    return (inbox?.events ?? []).filter((event) => !inbox!.consumed.has(event.seq) && !now.includes(event.seq));
  }

  /** A `ConflictError` when `seqs` are not all pending inbox events of `executionId`; else notes them in `consumed`. */
  #consumable(executionId: string, seqs: readonly number[], consumed: Map<string, number[]>): ConflictError | undefined {
    if (seqs.length === 0) return undefined;
    const pending = new Set(this.#pendingOf(executionId, consumed).map((event) => event.seq));
    const missing = seqs.find((seq) => !pending.has(seq));
    if (missing !== undefined) return new ConflictError(`execution ${executionId}'s inbox event ${missing} is unknown or already consumed: another runner consumed it`);
    consumed.set(executionId, [...(consumed.get(executionId) ?? []), ...seqs]);
    return undefined;
  }

  async load(executionId: string, page: LoadPage = {}): Promise<StoredEvent[]> {
    this.#assertOpen();
    const from = Math.max(0, page.from ?? 0);
    return (this.#logs.get(executionId) ?? []).slice(from, page.limit === undefined ? undefined : from + page.limit);
  }

  async get(executionId: string): Promise<ExecutionSummary | undefined> {
    this.#assertOpen();
    return this.#summaries.get(executionId);
  }

  async list(options: ListOptions = {}): Promise<ExecutionPage> {
    this.#assertOpen();
    const limit = pageSize(options.limit);
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
    const matching = [...this.#summaries.values()]
      .filter((s) => (options.workflow === undefined || s.workflow === options.workflow)
        && (options.state === undefined || s.state === options.state)
        && (after === undefined || isAfter(after, s.createdAt, s.executionId)))
      .sort((a, b) => b.createdAt - a.createdAt || (a.executionId < b.executionId ? 1 : a.executionId > b.executionId ? -1 : 0));
    const executions = matching.slice(0, limit);
    const last = executions[executions.length - 1];
    return matching.length > limit && last !== undefined ? { executions, nextCursor: encodeCursor(last) } : { executions };
  }

  async due(options: DueOptions): Promise<ExecutionSummary[]> {
    this.#assertOpen();
    const workflows = options.workflows === undefined ? undefined : new Set(options.workflows);
    return [...this.#summaries.values()]
      .filter((s) => s.wakeAt !== undefined && s.wakeAt <= options.until && (workflows === undefined || workflows.has(s.workflow)))
      .sort(dueOrder)
      .slice(0, dueSize(options.limit));
  }

  async getCached(key: string): Promise<string | undefined> {
    this.#assertOpen();
    return this.#cache.get(key);
  }

  async setCached(key: string, value: string): Promise<void> {
    this.#assertOpen();
    this.#cache.set(key, value);
  }

  async lease(executionId: string, owner: string, times: { now: number; expiresAt: number }): Promise<Lease & { cancel?: CancelRequest }> {
    this.#assertOpen();
    const summary = this.#summaries.get(executionId);
    if (summary === undefined) throw new ExecutionNotFoundError(`no execution ${executionId} in the memory store to lease`);
    const current = summary.lease;
    const cancel = summary.cancel === undefined ? {} : { cancel: summary.cancel };
    if (current !== undefined && current.expiresAt > times.now && current.owner !== owner) return { ...current, ...cancel };
    const lease = { owner, expiresAt: times.expiresAt };
    this.#summaries.set(executionId, { ...summary, lease, ...(summary.state === "running" ? { wakeAt: times.expiresAt } : {}) });
    return { ...lease, ...cancel };
  }

  async admit(queue: Queue, options: AdmitOptions): Promise<Admission> {
    this.#assertOpen();
    const members = [...this.#summaries.values()].filter((s) => s.queue === queue.name);
    const holders = members.filter((s) => s.state !== "queued" && !isTerminal(s.state));
    const admissionTimes = () => members.flatMap((s) => {
      const at = this.#places.get(s.executionId)?.admittedAt;
      return at !== undefined && queue.rate !== undefined && at > options.now - queue.rate.per ? [at] : [];
    });
    const counts = {
      holding: holders.length,
      holdingByOwner: holders.filter((s) => this.#places.get(s.executionId)?.admittedBy === options.owner).length,
      inWindow: admissionTimes().length,
    };
    const workflows = options.workflows === undefined ? undefined : new Set(options.workflows);
    const waiting = members
      .filter((s) => s.state === "queued" && s.cancel === undefined && (workflows === undefined || workflows.has(s.workflow)))
      .sort((a, b) => this.#places.get(a.executionId)!.seq - this.#places.get(b.executionId)!.seq);
    const admitted = waiting.slice(0, admissionRoom(queue, counts, options.limit ?? 100)).map((summary) => {
      const next: ExecutionSummary = { ...summary, state: "running", lease: { owner: options.owner, expiresAt: options.expiresAt }, wakeAt: options.expiresAt };
      this.#summaries.set(summary.executionId, next);
      Object.assign(this.#places.get(summary.executionId)!, { admittedAt: options.now, admittedBy: options.owner });
      return next;
    });
    const retryAt = waiting.length > admitted.length ? rateRetryAt(queue, admissionTimes()) : undefined;
    return retryAt === undefined ? { admitted } : { admitted, retryAt };
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreError("the memory store is closed: open a new one");
  }
}
