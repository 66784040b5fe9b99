import type { CommitQueue } from "./commit-queue.js";
import type { LeaseClaim, StoredEvent, Suspension } from "./state-store.js";

/**
 * @internal The events an execution recorded and did not yet send to the store, and what goes
 * with them (the inbox events they consume), numbered after those committed or on their way. One
 * `send` is one commit (which the commit queue may join with others).
 */
export class Outbox {
  /** How many events are committed, or on their way to the store. */
  committed = 0;
  #pending: StoredEvent[] = [];
  #consumes: number[] = [];
  /** Blob puts the pending events' references need durable before they are committed. */
  #puts: Promise<void>[] = [];
  #last: Promise<void> = Promise.resolve();
  /** Set while a commit waits for its blob puts: later commits go after it, in order. */
  #gate: Promise<void> | undefined;

  constructor(
    readonly queue: CommitQueue,
    readonly executionId: string,
  ) {}

  /** The id the next recorded event gets. */
  get nextId(): number {
    return this.committed + this.#pending.length;
  }

  /** Adds an event to the next commit; `put` is the blob write its value's reference needs first. */
  add(event: StoredEvent, put?: Promise<void>): void {
    this.#pending.push(event);
    if (put !== undefined) {
      // Observed at once (a failure is the commit's, not an unhandled rejection).
      put.catch(() => undefined);
      this.#puts.push(put);
    }
  }

  /** The inbox event `seq` is consumed by the events of the next commit. */
  consume(seq: number): void {
    this.#consumes.push(seq);
  }

  /**
   * Sends what is pending as one commit, with the lease claim `claim(expectedSeq)` gives and
   * `suspend` and `parentId` (the latter on an execution's first commit only). Resolves once it
   * is durable; with nothing pending, returns the last commit's promise.
   */
  send(claim: (expectedSeq: number) => LeaseClaim, suspend: Suspension | undefined, parentId: string | undefined): Promise<void> {
    if (this.#pending.length === 0) return this.#last;
    const events = this.#pending;
    const consumes = this.#consumes;
    this.#pending = [];
    this.#consumes = [];
    const puts = this.#puts;
    this.#puts = [];
    const expectedSeq = this.committed;
    this.committed += events.length;
    const commit = () => this.queue.commit({
      executionId: this.executionId,
      events,
      expectedSeq,
      lease: claim(expectedSeq),
      ...(suspend === undefined ? {} : { suspend }),
      ...(expectedSeq === 0 && parentId !== undefined ? { parentId } : {}),
      ...(consumes.length === 0 ? {} : { consumes }),
    });
    if (puts.length === 0 && this.#gate === undefined) {
      this.#last = commit();
      return this.#last;
    }
    // A reference goes to the store only once its blob is durable; commits after it are handed
    // to the queue after it, so they keep their order (and may still join it there).
    let durable!: Promise<void>;
    const enqueued = Promise.all([this.#gate, ...puts]).then(() => {
      durable = commit();
    });
    const open = (this.#gate = enqueued.then(() => undefined, () => undefined));
    void open.then(() => {
      if (this.#gate === open) this.#gate = undefined;
    });
    this.#last = enqueued.then(() => durable);
    return this.#last;
  }

  /** Drops what is pending and counts `committed` events (a refused commit left the log there). */
  reset(committed: number): void {
    this.#pending = [];
    this.#consumes = [];
    this.#puts = [];
    this.committed = committed;
  }
}
