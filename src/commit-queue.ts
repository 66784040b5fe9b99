import { ConflictError } from "./errors.js";
import { nextMacrotask } from "./scheduling.js";
import type { Commit, StateStore, StoredEvent } from "./state-store.js";

/** One commit waiting for the store; later appends to the same log may join it until it is taken. */
interface Waiting {
  readonly executionId: string;
  readonly expectedSeq: number;
  readonly events: StoredEvent[];
  /** The joined commits' lease claim (a take wins over a check), suspension (the last) and parent (the first). */
  lease: Commit["lease"];
  suspend: Commit["suspend"];
  readonly parentId: string | undefined;
  consumes: number[] | undefined;
  readonly done: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

const MAX_BATCH = 512;

/**
 * Group commit: every commit asked for in the same turn of the event loop (or while an earlier
 * batch is being written) goes to the store in one `commitBatch`; for a store whose
 * `groupCommit` is `"in-flight"`, a commit asked for while none is being written goes at once,
 * without waiting for the turn to end. Commits resolve in the order
 * they were asked for, each only once it is durable. A batch refused for a conflict is retried
 * commit by commit, so one execution's conflict never fails another's commit.
 *
 * A commit that continues the log of one still waiting (its `expectedSeq` is where the waiting
 * one ends) joins it: the 10,000 steps of a `map` that finish in one turn make one append of
 * 10,000 events, not 10,000 appends. Both then succeed or fail together, as they would apart
 * (the second cannot land without the first). When two commits of one execution do not line
 * up (two runners of it), nothing more joins that execution's commits until the queue is written.
 */
export class CommitQueue {
  readonly #store: StateStore;
  #waiting: Waiting[] = [];
  /** The waiting commit that later ones of its execution may join; `null` once ambiguous. */
  readonly #joinable = new Map<string, Waiting | null>();
  #busy = false;
  readonly #atOnce: boolean;

  constructor(store: StateStore) {
    this.#store = store;
    this.#atOnce = store.groupCommit === "in-flight";
  }

  /** Resolves once `commit` is durable; rejects with the store's error (e.g. `ConflictError`). */
  commit(commit: Commit): Promise<void> {
    const { executionId, expectedSeq } = commit;
    const open = this.#joinable.get(executionId);
    if (open !== undefined && open !== null && open.expectedSeq + open.events.length === expectedSeq) {
      for (const event of commit.events) open.events.push(event);
      // A claim that takes the lease (a new execution's first commit) outranks a later check.
      if (open.lease?.expiresAt === undefined) open.lease = commit.lease ?? open.lease;
      if (commit.suspend !== undefined) open.suspend = commit.suspend;
      if (commit.consumes !== undefined) open.consumes = [...(open.consumes ?? []), ...commit.consumes];
      return open.done;
    }
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const waiting: Waiting = {
      executionId, expectedSeq, events: commit.events.slice(), lease: commit.lease, suspend: commit.suspend, parentId: commit.parentId,
      consumes: commit.consumes?.slice(), done, resolve, reject,
    };
    this.#waiting.push(waiting);
    this.#joinable.set(executionId, open === undefined ? waiting : null);
    if (!this.#busy) {
      this.#busy = true;
      if (this.#atOnce) void this.#drain();
      else nextMacrotask(() => void this.#drain());
    }
    return done;
  }

  async #drain(): Promise<void> {
    while (this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, MAX_BATCH);
      if (this.#waiting.length === 0) this.#joinable.clear();
      else for (const w of batch) if (this.#joinable.get(w.executionId) === w) this.#joinable.delete(w.executionId);
      try {
        await this.#store.commitBatch(batch.map(toCommit));
        for (const w of batch) w.resolve();
      } catch (error) {
        if (batch.length === 1 || !(error instanceof ConflictError)) {
          for (const w of batch) w.reject(error);
        } else {
          for (const w of batch) {
            try {
              await this.#store.commitBatch([toCommit(w)]);
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

function toCommit({ executionId, events, expectedSeq, lease, suspend, parentId, consumes }: Waiting): Commit {
  return {
    executionId, events, expectedSeq,
    ...(lease === undefined ? {} : { lease }),
    ...(suspend === undefined ? {} : { suspend }),
    ...(parentId === undefined ? {} : { parentId }),
    ...(consumes === undefined ? {} : { consumes }),
  };
}
