import { StoreError, type Commit, type CommitOptions, type ExecutionSummary, type StateStore } from "flux-ts";
// Not exported by "flux-ts" (src/index.ts) yet: taken from the contract's file.
import type { CancelRequest, InboxEvent } from "../../src/state-store.js";

/** How a {@link FaultyStore} misbehaves; probabilities per write (commit, delivered event, cancellation asked for). */
export interface Faults {
  /** The write throws before anything is written. */
  readonly failBefore: number;
  /** The write is made, then throws anyway (the caller cannot tell it landed). */
  readonly failAfter: number;
  /** The write resolves only after a few turns of the event loop. */
  readonly slow: number;
}

/**
 * Wraps a store and injects faults at its boundary, drawn from `random` (seeded), so that a
 * simulation can be replayed exactly. Commits, `deliver` and `requestCancel` are faulted alike
 * (before or after writing, or slow), each drawing from `random` in the same order; reads and
 * leases are never faulted: recovery must be able to load.
 */
export class FaultyStore implements StateStore {
  injected = 0;
  constructor(readonly inner: StateStore, readonly random: () => number, readonly faults: Faults) {}

  async commit(executionId: string, events: Commit["events"], options: CommitOptions): Promise<void> {
    return this.commitBatch([{ ...options, executionId, events }]);
  }

  commitBatch(commits: readonly Commit[]): Promise<void> {
    return this.#faulted("the commit", () => this.inner.commitBatch(commits));
  }

  deliver(executionId: string, event: Omit<InboxEvent, "seq">): Promise<InboxEvent> {
    return this.#faulted(`the delivery of "${event.name}" to ${executionId}`, () => this.inner.deliver(executionId, event));
  }

  requestCancel(executionId: string, request: CancelRequest): Promise<ExecutionSummary> {
    return this.#faulted(`the cancellation of ${executionId}`, () => this.inner.requestCancel(executionId, request));
  }

  /** Runs the write `write` with a fault drawn from `random`: one roll for failing, one for slowness (then one for how slow). */
  async #faulted<T>(what: string, write: () => Promise<T>): Promise<T> {
    const roll = this.random();
    // Slowness as turns of the event loop (setImmediate), not timers: a seed replays exactly.
    if (this.random() < this.faults.slow) for (let i = Math.floor(this.random() * 5); i >= 0; i--) await new Promise((r) => setImmediate(r));
    if (roll < this.faults.failBefore) {
      this.injected += 1;
      throw new StoreError(`injected fault: ${what} failed before writing`);
    }
    const result = await write();
    if (roll < this.faults.failBefore + this.faults.failAfter) {
      this.injected += 1;
      throw new StoreError(`injected fault: ${what} was written, then failed`);
    }
    return result;
  }

  load: StateStore["load"] = (executionId, page) => this.inner.load(executionId, page);
  get = (executionId: string) => this.inner.get(executionId);
  list: StateStore["list"] = (options) => this.inner.list(options);
  due: StateStore["due"] = (options) => this.inner.due(options);
  pending: StateStore["pending"] = (executionId) => this.inner.pending(executionId);
  getCached = (key: string) => this.inner.getCached(key);
  setCached = (key: string, value: string) => this.inner.setCached(key, value);
  lease: StateStore["lease"] = (executionId, owner, times) => this.inner.lease(executionId, owner, times);
  /** Queue admission, when the inner store has it: never faulted, as leases are not. */
  get admit(): StateStore["admit"] {
    return this.inner.admit?.bind(this.inner);
  }
  close = () => this.inner.close();
}
