import type {
  CancelRequest, Commit, CommitOptions, DueOptions, ExecutionPage, ExecutionSummary, InboxEvent, Lease, ListOptions, LoadPage, StateStore, StoredEvent,
} from "../../src/state-store.js";

/**
 * A {@link StateStore} that opens the real one on first use: an engine needs its store at once,
 * but IndexedDB opens asynchronously. Every call waits for the open and then forwards all its
 * arguments (a commit's lease, suspension, parent and consumes, a load's page, `due`'s query,
 * an event delivered, a cancellation asked for) and resolves with the opened store's whole
 * answer (a lease's `cancel` included), so it keeps the opened store's guarantees. A failed open rejects that call and is tried again by
 * the next one (the user may have freed space or closed the tab that blocked an upgrade).
 *
 * @example
 * const engine = new Engine({ store: new DeferredStore(() => openIdbStore("flux")) });
 */
export class DeferredStore implements StateStore {
  readonly #open: () => Promise<StateStore>;
  #store: Promise<StateStore> | undefined;

  constructor(open: () => Promise<StateStore>) {
    this.#open = open;
  }

  /** The opened store (opening it now if no call has yet). */
  opened(): Promise<StateStore> {
    if (this.#store === undefined) {
      const opening = this.#open();
      this.#store = opening;
      opening.catch(() => {
        if (this.#store === opening) this.#store = undefined;
      });
    }
    return this.#store;
  }

  async commit(executionId: string, events: readonly StoredEvent[], options: CommitOptions): Promise<void> {
    return (await this.opened()).commit(executionId, events, options);
  }

  async commitBatch(commits: readonly Commit[]): Promise<void> {
    return (await this.opened()).commitBatch(commits);
  }

  async load(executionId: string, page?: LoadPage): Promise<StoredEvent[]> {
    return (await this.opened()).load(executionId, page);
  }

  async get(executionId: string): Promise<ExecutionSummary | undefined> {
    return (await this.opened()).get(executionId);
  }

  async list(options?: ListOptions): Promise<ExecutionPage> {
    return (await this.opened()).list(options);
  }

  async due(options: DueOptions): Promise<ExecutionSummary[]> {
    return (await this.opened()).due(options);
  }

  async getCached(key: string): Promise<string | undefined> {
    return (await this.opened()).getCached(key);
  }

  async setCached(key: string, value: string): Promise<void> {
    return (await this.opened()).setCached(key, value);
  }

  async deliver(executionId: string, event: Omit<InboxEvent, "seq">): Promise<InboxEvent> {
    return (await this.opened()).deliver(executionId, event);
  }

  async pending(executionId: string): Promise<InboxEvent[]> {
    return (await this.opened()).pending(executionId);
  }

  async requestCancel(executionId: string, request: CancelRequest): Promise<ExecutionSummary> {
    return (await this.opened()).requestCancel(executionId, request);
  }

  async lease(executionId: string, owner: string, times: { now: number; expiresAt: number }): Promise<Lease & { readonly cancel?: CancelRequest }> {
    return (await this.opened()).lease(executionId, owner, times);
  }

  /** Closes the store if it was opened; harmless otherwise. */
  async close(): Promise<void> {
    const store = this.#store;
    if (store === undefined) return;
    await (await store.catch(() => undefined))?.close();
  }
}
