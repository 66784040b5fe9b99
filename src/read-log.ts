import type { StateStore, StoredEvent } from "./state-store.js";

/** How many events the engine asks a store for at a time when it loads a log. */
export const LOAD_PAGE_SIZE = 10_000;

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
