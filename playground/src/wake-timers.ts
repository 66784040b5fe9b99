import type { ExecutionSummary } from "flux-ts";

/**
 * True when the paused top-level execution `summary` moves on when run again without a resume:
 * it is due (`wakeAt`: an event it waits on arrived, an event wait's timeout passed, a
 * subworkflow it waits on ended) and waits on no pause point (a plain run would answer that
 * pause with `undefined`: such an execution takes its event or timeout when the pause is
 * resumed), or a cancellation waits to be recorded. `now` undefined: due at any time.
 */
export function movesOnWithoutResume(summary: ExecutionSummary | undefined, now?: number): summary is ExecutionSummary & { wakeAt: number } {
  if (summary?.state !== "paused" || summary.parentId !== undefined || summary.wakeAt === undefined) return false;
  if (now !== undefined && summary.wakeAt > now) return false;
  return summary.cancel !== undefined || (summary.waits !== undefined && !summary.waits.some((wait) => wait.kind === "pause"));
}

/** The longest delay `setTimeout` takes (about 24.8 days); a later time is waited for in steps. */
const MAX_DELAY = 2 ** 31 - 1;

/**
 * Continues paused executions at their `wakeAt` (an event wait's timeout; at once for an event
 * that arrived while no tab ran them). The engine's dispatcher does that elsewhere; in the
 * playground every run goes through the runner (the execution's own code, under its Web Lock),
 * so the page keeps its own timers, set from the store's summaries each time something changed.
 * Each execution is tried once per `wakeAt`: one that did not move on (its code failed, another
 * tab has it) is not tried again in a loop, only when its `wakeAt` changes or the page reloads.
 */
export class WakeTimers {
  readonly #timers = new Map<string, { at: number; timer: ReturnType<typeof setTimeout> }>();
  readonly #tried = new Set<string>();
  #refreshing: Promise<void> | undefined;
  #again = false;

  constructor(
    /** The executions to wake, with their time (the runner's paused top-level executions that move on without a resume). */
    readonly due: () => Promise<readonly { executionId: string; wakeAt: number }[]>,
    /** Continues one, and reports its own failure (a rejection is ignored here). */
    readonly wake: (executionId: string) => Promise<unknown>,
  ) {}

  /** Sets the timers from the store again (calls made while one runs are folded into one more). */
  refresh(): Promise<void> {
    if (this.#refreshing !== undefined) {
      this.#again = true;
      return this.#refreshing;
    }
    const run = async () => {
      do {
        this.#again = false;
        this.#set(await this.due());
      } while (this.#again);
    };
    this.#refreshing = run().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  /** The executions with a timer, and when it fires. */
  get pending(): ReadonlyMap<string, number> {
    return new Map([...this.#timers].map(([id, { at }]) => [id, at]));
  }

  /** Clears every timer (the page goes away). */
  stop(): void {
    for (const { timer } of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  #set(due: readonly { executionId: string; wakeAt: number }[]): void {
    const wanted = new Map(due.filter((d) => !this.#tried.has(`${d.executionId}@${d.wakeAt}`)).map((d) => [d.executionId, d.wakeAt]));
    for (const [id, { at, timer }] of this.#timers) {
      if (wanted.get(id) === at) continue;
      clearTimeout(timer);
      this.#timers.delete(id);
    }
    for (const [id, at] of wanted) if (!this.#timers.has(id)) this.#arm(id, at);
  }

  #arm(executionId: string, at: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(executionId);
      if (Date.now() < at) return this.#arm(executionId, at); // a timer may fire a little early, or a long wait is waited in steps
      this.#tried.add(`${executionId}@${at}`);
      this.wake(executionId).catch(() => undefined); // the wake reports its own failure
    }, Math.min(Math.max(at - Date.now(), 0), MAX_DELAY));
    this.#timers.set(executionId, { at, timer });
  }
}
