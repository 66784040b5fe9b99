/**
 * What queue tests check of a run of queued executions, from a trace of body starts and ends
 * (each body records its start index, in start order of the executions, when it begins, and
 * again when it ends): how many ran at once at most, and whether admission kept start order.
 */
export interface QueueTraceEntry {
  readonly kind: "begin" | "end";
  /** The execution's place in start order, from 0. */
  readonly index: number;
}

/** The most bodies between their begin and their end at once, over the trace (in trace order). */
export function mostAtOnce(trace: readonly QueueTraceEntry[]): number {
  let running = 0;
  let most = 0;
  for (const entry of trace) {
    running += entry.kind === "begin" ? 1 : -1;
    most = Math.max(most, running);
  }
  return most;
}

/**
 * The begins that break start order: a body that began while more than `concurrency - 1`
 * executions started before it had not begun yet. (Every execution admitted but not yet begun
 * holds a slot, so with first-in-first-out admission at most `concurrency - 1` earlier starts
 * can still be waiting to begin when a later one begins.) Empty when order was kept.
 */
export function orderBreaks(trace: readonly QueueTraceEntry[], concurrency: number): string[] {
  const begun = new Set<number>();
  const breaks: string[] = [];
  for (const entry of trace) {
    if (entry.kind !== "begin") continue;
    begun.add(entry.index);
    let earlierWaiting = 0;
    for (let i = 0; i < entry.index; i += 1) if (!begun.has(i)) earlierWaiting += 1;
    if (earlierWaiting > concurrency - 1) breaks.push(`execution ${entry.index} began while ${earlierWaiting} earlier starts had not`);
  }
  return breaks;
}
