import type { StateStore, StoredEvent } from "./state-store.js";

/**
 * How many events the engine asks a store for at a time when it loads a log. A page's rows are
 * garbage once indexed; pages of this size die young (replaying 100,000 steps from SQLite peaks at
 * 82 MB RSS with pages of 1,000, 113–130 MB with pages of 10,000), and a long log still loads in
 * few round trips.
 */
export const LOAD_PAGE_SIZE = 1000;

/**
 * Reads an execution's log in pages of {@link LOAD_PAGE_SIZE}, handing each to `sink` in order, so
 * that the raw rows of a long log are never all held at once. Tolerates a store that ignores the
 * page options (events already read are skipped).
 */
export async function readLog(store: StateStore, executionId: string, sink: (page: readonly StoredEvent[]) => void): Promise<void> {
  let from = 0;
  for (;;) {
    const page = await store.load(executionId, { from, limit: LOAD_PAGE_SIZE });
    let skip = 0;
    while (skip < page.length && page[skip]!.id < from) skip += 1;
    const fresh = skip === 0 ? page : page.slice(skip);
    const last = fresh[fresh.length - 1];
    if (last === undefined) return;
    sink(fresh);
    from = last.id + 1;
    if (page.length < LOAD_PAGE_SIZE) return;
  }
}
