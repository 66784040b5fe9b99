import { ConflictError, StoreError, UsageError } from "./errors.js";
import { nextSummary } from "./execution-summary.js";
import { decodeCursor, encodeCursor, isAfter, pageSize } from "./list-cursor.js";
import type { Commit, ExecutionPage, ExecutionSummary, Lease, ListOptions, LoadPage, StateStore, StoredEvent } from "./state-store.js";

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
  readonly #leases = new Map<string, Lease>();
  #closed = false;

  async commit(executionId: string, events: readonly StoredEvent[], options: { expectedSeq: number }): Promise<void> {
    return this.commitBatch([{ executionId, events, expectedSeq: options.expectedSeq }]);
  }

  async commitBatch(commits: readonly Commit[]): Promise<void> {
    this.#assertOpen();
    const pending = new Map<string, number>();
    for (const { executionId, events, expectedSeq } of commits) {
      events.forEach((event, i) => {
        if (event.id !== expectedSeq + i) {
          throw new UsageError(`execution ${executionId}: event ${i} of a commit at ${expectedSeq} has id ${event.id}, not ${expectedSeq + i}`);
        }
      });
      const length = pending.get(executionId) ?? this.#logs.get(executionId)?.length ?? 0;
      if (length !== expectedSeq) {
        throw new ConflictError(
          `execution ${executionId} holds ${length} events, not the ${expectedSeq} this commit expected: another runner wrote to it`,
        );
      }
      pending.set(executionId, length + events.length);
    }
    for (const { executionId, events } of commits) {
      if (events.length === 0) continue;
      const log = this.#logs.get(executionId) ?? [];
      for (const event of events) log.push({ ...event });
      this.#logs.set(executionId, log);
      this.#summaries.set(executionId, nextSummary(this.#summaries.get(executionId), executionId, events));
    }
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

  async getCached(key: string): Promise<string | undefined> {
    this.#assertOpen();
    return this.#cache.get(key);
  }

  async setCached(key: string, value: string): Promise<void> {
    this.#assertOpen();
    this.#cache.set(key, value);
  }

  async lease(executionId: string, owner: string, times: { now: number; expiresAt: number }): Promise<Lease> {
    this.#assertOpen();
    const current = this.#leases.get(executionId);
    if (current === undefined || current.expiresAt <= times.now || current.owner === owner) {
      const taken = { owner, expiresAt: times.expiresAt };
      this.#leases.set(executionId, taken);
      return taken;
    }
    return current;
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreError("the memory store is closed: open a new one");
  }
}
