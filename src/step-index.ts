import { ExecutionEventType as T } from "./events.js";
import { stepNumber, type EventLog } from "./event-log.js";
import type { StepRecord } from "./replay-index.js";

/**
 * @internal The replay index: what the log says about each step, by step id. A finished task at
 * a plain step number ("1", "2", …: the steps of a long sequential history) is kept as two
 * numbers, the ids of its `TASK_STARTED` and of the event that ended it, and read back from the
 * log when asked for (a new record each time); every other step keeps a full {@link StepRecord}.
 * So a history of 100,000 finished steps costs 8 bytes a step here, not an object each.
 *
 * With `compact` false (a strict replay, which verifies every recorded step), every step keeps
 * its record, in log order.
 */
export class StepIndex {
  readonly #records = new Map<string, StepRecord>();
  /**
   * By step number: its TASK_STARTED id + 1 (negated when the task had one argument: a call as
   * histories recorded before kinds were wrote it) and its ending event's id + 1 (0: not here).
   */
  #started = new Int32Array(64);
  #ended = new Int32Array(64);
  #compacted = 0;

  constructor(
    readonly log: EventLog,
    readonly compact: boolean,
  ) {}

  /** How many steps the index knows. */
  get size(): number {
    return this.#records.size + this.#compacted;
  }

  /** The step's record (for a compacted step, a new one read from the log), or `undefined`. */
  get(stepId: string): StepRecord | undefined {
    const record = this.#records.get(stepId);
    if (record !== undefined || this.#compacted === 0) return record;
    const step = stepNumber(stepId);
    if (step === undefined || step >= this.#ended.length || this.#ended[step] === 0) return undefined;
    return this.#finishedTask(stepId, this.#started[step]!, this.#ended[step]! - 1);
  }

  has(stepId: string): boolean {
    return this.get(stepId) !== undefined;
  }

  set(stepId: string, record: StepRecord): void {
    this.#records.set(stepId, record);
  }

  /** Every record: the full ones, then the compacted (finished) ones (a strict replay's check of what it called). */
  *values(): IterableIterator<StepRecord> {
    yield* this.#records.values();
    if (this.#compacted === 0) return;
    for (let step = 1; step < this.#ended.length; step++) {
      if (this.#ended[step] !== 0) yield this.#finishedTask(String(step), this.#started[step]!, this.#ended[step]! - 1);
    }
  }

  /**
   * The steps with no recorded end (what a suspended execution waits on, what a cancellation
   * reaches): never a compacted one, so a long history's finished steps are not read back.
   */
  *unfinished(): IterableIterator<StepRecord> {
    for (const record of this.#records.values()) if (record.outcome === undefined) yield record;
  }

  /**
   * Called once event `endedId` finished step `stepId`: a plain task at a step number whose
   * start and result the log keeps is compacted to the two event ids. (Not a task named "sleep":
   * a history recorded before kinds were wrote a sleep so, and replay then needs its `[ms]`.)
   */
  finished(stepId: string, endedId: number): void {
    if (!this.compact) return;
    const record = this.#records.get(stepId);
    const step = stepNumber(stepId);
    if (record === undefined || step === undefined || record.kind !== "task" || record.name === "sleep" || record.startedEventId === undefined || record.retryOpen) return;
    if (this.log.textAt(endedId) === undefined || this.log.textAt(record.startedEventId) === undefined) return;
    while (step >= this.#ended.length) this.#grow();
    this.#started[step] = record.single ? -(record.startedEventId + 1) : record.startedEventId + 1;
    this.#ended[step] = endedId + 1;
    this.#records.delete(stepId);
    this.#compacted += 1;
  }

  /** A compacted step's record, read back from the log (a plain object: accessors per step made a 100,000-step replay peak 30 MB higher). */
  #finishedTask(stepId: string, started: number, endedId: number): StepRecord {
    const log = this.log;
    const startedId = Math.abs(started) - 1;
    return {
      stepId, kind: "task", name: log.nameAt(startedId), detail: undefined, single: started < 0,
      outcome: { ok: log.typeAt(endedId) === T.TASK_COMPLETED, text: log.textAt(endedId)! },
      retries: 0, retryOpen: false, retryStartedAt: undefined, retryDelay: undefined, startedAt: log.timeAt(startedId),
      startedEventId: startedId, resumed: false, resumeValue: null,
    };
  }

  #grow(): void {
    const started = new Int32Array(this.#started.length * 2);
    started.set(this.#started);
    this.#started = started;
    const ended = new Int32Array(this.#ended.length * 2);
    ended.set(this.#ended);
    this.#ended = ended;
  }
}
