import { StoreError, type Commit, type CommitOptions, type StateStore } from "flux-ts";

/** How a {@link FaultyStore} misbehaves; probabilities per commit. */
export interface Faults {
  /** The commit throws before anything is written. */
  readonly failBefore: number;
  /** The commit is written, then throws anyway (the caller cannot tell it landed). */
  readonly failAfter: number;
  /** The commit resolves only after a few turns of the event loop. */
  readonly slow: number;
}

/**
 * Wraps a store and injects faults at its boundary, drawn from `random` (seeded), so that a
 * simulation can be replayed exactly. Reads are never faulted: recovery must be able to load.
 */
export class FaultyStore implements StateStore {
  injected = 0;
  constructor(readonly inner: StateStore, readonly random: () => number, readonly faults: Faults) {}

  async commit(executionId: string, events: Commit["events"], options: CommitOptions): Promise<void> {
    return this.commitBatch([{ ...options, executionId, events }]);
  }

  async commitBatch(commits: readonly Commit[]): Promise<void> {
    const roll = this.random();
    // Slowness as turns of the event loop (setImmediate), not timers: a seed replays exactly.
    if (this.random() < this.faults.slow) for (let i = Math.floor(this.random() * 5); i >= 0; i--) await new Promise((r) => setImmediate(r));
    if (roll < this.faults.failBefore) {
      this.injected += 1;
      throw new StoreError("injected fault: the commit failed before writing");
    }
    await this.inner.commitBatch(commits);
    if (roll < this.faults.failBefore + this.faults.failAfter) {
      this.injected += 1;
      throw new StoreError("injected fault: the commit was written, then failed");
    }
  }

  load: StateStore["load"] = (executionId, page) => this.inner.load(executionId, page);
  get = (executionId: string) => this.inner.get(executionId);
  list: StateStore["list"] = (options) => this.inner.list(options);
  due: StateStore["due"] = (options) => this.inner.due(options);
  getCached = (key: string) => this.inner.getCached(key);
  setCached = (key: string, value: string) => this.inner.setCached(key, value);
  lease: StateStore["lease"] = (executionId, owner, times) => this.inner.lease(executionId, owner, times);
  close = () => this.inner.close();
}
