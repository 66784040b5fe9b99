import { ConflictError } from "./errors.js";
import { nextMacrotask } from "./scheduling.js";
import type { Commit, StateStore } from "./state-store.js";

interface Waiting {
  readonly commit: Commit;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

const MAX_BATCH = 512;

/**
 * Group commit: every commit asked for in the same turn of the event loop (or while an earlier
 * batch is being written) goes to the store in one `commitBatch`. Commits resolve in the order
 * they were asked for, each only once it is durable. A batch refused for a conflict is retried
 * commit by commit, so one execution's conflict never fails another's commit.
 */
export class CommitQueue {
  readonly #store: StateStore;
  #waiting: Waiting[] = [];
  #busy = false;

  constructor(store: StateStore) {
    this.#store = store;
  }

  /** Resolves once `commit` is durable; rejects with the store's error (e.g. `ConflictError`). */
  commit(commit: Commit): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ commit, resolve, reject });
      if (!this.#busy) {
        this.#busy = true;
        nextMacrotask(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    while (this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, MAX_BATCH);
      try {
        await this.#store.commitBatch(batch.map((w) => w.commit));
        for (const w of batch) w.resolve();
      } catch (error) {
        if (batch.length === 1 || !(error instanceof ConflictError)) {
          for (const w of batch) w.reject(error);
        } else {
          for (const w of batch) {
            try {
              await this.#store.commitBatch([w.commit]);
              w.resolve();
            } catch (single) {
              w.reject(single);
            }
          }
        }
      }
    }
    this.#busy = false;
  }
}
