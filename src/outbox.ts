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
  #last: Promise<void> = Promise.resolve();

  constructor(
    readonly queue: CommitQueue,
    readonly executionId: string,
  ) {}

  /** The id the next recorded event gets. */
  get nextId(): number {
    return this.committed + this.#pending.length;
  }

  add(event: StoredEvent): void {
    this.#pending.push(event);
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
    const expectedSeq = this.committed;
    this.committed += events.length;
    this.#last = this.queue.commit({
      executionId: this.executionId,
      events,
      expectedSeq,
      lease: claim(expectedSeq),
      ...(suspend === undefined ? {} : { suspend }),
      ...(expectedSeq === 0 && parentId !== undefined ? { parentId } : {}),
      ...(consumes.length === 0 ? {} : { consumes }),
    });
    return this.#last;
  }

  /** Drops what is pending and counts `committed` events (a refused commit left the log there). */
  reset(committed: number): void {
    this.#pending = [];
    this.#consumes = [];
    this.committed = committed;
  }
}
