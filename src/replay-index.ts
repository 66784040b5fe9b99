import { ExecutionEventType as T, type ExecutionEventType } from "./events.js";
import { StoredBlob } from "./blobs/stored-blob.js";
import { decodeValue } from "./serialization.js";

/**
 * The kinds of durable call, as the log records them. A task's `TASK_STARTED` value is its
 * arguments (an array, or null when they could not be recorded); the engine's own kinds record
 * a tagged object instead (`{ sleep: ms }`, `{ call: childId, input }`, `{ parallel: n }`), and
 * a pause is a `TASK_PAUSED`. So a `ctx.call` of workflow "x" replaced by a task named "x", or a
 * task named "sleep" in place of a `ctx.sleep`, is told apart on replay.
 */
export type StepKind = "task" | "pause" | "sleep" | "call" | "parallel" | "event";

/** What the log says about one step, gathered in one pass when an execution is loaded. */
export interface StepRecord {
  readonly stepId: string;
  kind: StepKind;
  name: string;
  /**
   * A sleep's duration (ms), a call's child execution id, a parallel group's branch count, an
   * event wait's timeout (ms; undefined without one). For a
   * task record written before kinds were recorded, the value a legacy sleep (`[ms]`) or call
   * (`[input]`) would have, so that old histories replay as they were recorded.
   */
  detail: number | string | undefined;
  /** True for a task record whose arguments are one value: it may be a call recorded before kinds were. */
  single: boolean;
  /** Set once the step finished: its result, or the error it failed with, ENCODED (see {@link RecordedOutcome}). */
  outcome?: RecordedOutcome;
  /** How many retries were started. */
  retries: number;
  /** True when the last started retry has no recorded end (the process died during it). */
  retryOpen: boolean;
  /** Time of the last retry start, to wait only what is left of its delay. */
  retryStartedAt?: number;
  retryDelay?: number;
  /** Time the step started (a durable sleep wakes at `startedAt + ms`). */
  startedAt: number;
  /** The id of its `TASK_STARTED` event. */
  startedEventId: number | undefined;
  /** For a pause: whether it was resumed, and with what (the JSON text of the resume's value; null once read). */
  resumed: boolean;
  resumeValue?: string | null;
}

/**
 * A finished step's result (`ok`) or error, kept as the JSON text the log recorded: decoded when
 * the replay reaches the step, then released (`text` null). A task result the running
 * execution recorded keeps no text (`null` at once): its caller already has the value.
 */
export interface RecordedOutcome {
  readonly ok: boolean;
  text: string | null;
  /** Read this property of the decoded value (an `EVENT_RECEIVED`'s payload). */
  readonly pick?: "payload";
}

/** What {@link applyToIndex} updates: the index's records by step id (see `StepIndex`). */
export interface StepRecords {
  get(stepId: string): StepRecord | undefined;
  set(stepId: string, record: StepRecord): void;
}

const UNDEFINED_TEXT = '{"$flux":"undefined"}';

/**
 * The value a finished step's outcome holds (decoded now), releasing its text: each step replays
 * once per run. A value the log keeps in the blob store comes as a promise from `fetch`.
 */
export function takeOutcome(outcome: RecordedOutcome, fetch: (blob: StoredBlob) => Promise<unknown>): unknown {
  const text = outcome.text;
  if (text === null) throw new Error("flux-ts internal error: a step's recorded outcome was read twice in one run");
  outcome.text = null;
  const value = decodeValue(text);
  // A value kept in the blob store: a promise of it (the replay of that step waits for the fetch).
  if (value instanceof StoredBlob) return fetch(value).then((fetched) => picked(outcome, fetched));
  return picked(outcome, value);
}

function picked(outcome: RecordedOutcome, value: unknown): unknown {
  return outcome.pick === "payload" ? (value as { payload?: unknown } | null)?.payload : value;
}

/** The `TASK_STARTED` value of a durable sleep of `ms`. */
export function sleepStarted(ms: number): { sleep: number } {
  return { sleep: ms };
}

/** The `TASK_STARTED` value of a subworkflow call: the child's execution id and its input. */
export function callStarted(childId: string, input: unknown): { call: string; input: unknown } {
  return { call: childId, input };
}

/** The `TASK_STARTED` value of a parallel group of `branches`. */
export function parallelStarted(branches: number): { parallel: number } {
  return { parallel: branches };
}

/**
 * Updates `index` with event `id` (the engine keeps the index current as it records and as it
 * loads): its value as recorded (`text`), and `decoded` when the running execution just recorded
 * it (a task's result then needs no text kept: its caller has the value). Takes the event's
 * fields, not an object: a long log is loaded without an object per event.
 */
export function applyToIndex(
  index: StepRecords, type: ExecutionEventType, sourceId: string, name: string, text: string, time: number, id: number,
  decoded?: { readonly value: unknown },
): void {
  if (type.startsWith("WORKFLOW_")) return;
  const kept = decoded !== undefined && (type === T.TASK_COMPLETED || type === T.TASK_FAILED) ? null : text;
  let record = index.get(sourceId);
  if (record === undefined) {
    // Every field up front: one object shape, no property store grown later (a long replay holds thousands).
    record = {
      stepId: sourceId, kind: "task", name, detail: undefined, single: false, outcome: undefined, retries: 0,
      retryOpen: false, retryStartedAt: undefined, retryDelay: undefined, startedAt: time, startedEventId: undefined, resumed: false, resumeValue: null,
    };
    index.set(sourceId, record);
  }
  switch (type) {
    case T.TASK_STARTED: {
      record.startedEventId = id;
      const started = valueOf(text, decoded);
      if (Array.isArray(started) || started === null) classifyTask(record, started);
      else classifyOwn(record, started);
      break;
    }
    case T.TASK_PAUSED:
      record.kind = "pause";
      record.resumed = false;
      break;
    case T.TASK_RESUMED:
      record.resumed = true;
      record.resumeValue = kept;
      break;
    case T.TASK_COMPLETED:
      record.outcome = { ok: true, text: kept };
      break;
    case T.TASK_FAILED:
      record.outcome = { ok: false, text: kept };
      break;
    case T.TASK_RETRY_STARTED: {
      record.retries += 1;
      record.retryOpen = true;
      record.retryStartedAt = time;
      const delay = (valueOf(text, decoded) as { delay?: unknown } | undefined)?.delay;
      record.retryDelay = typeof delay === "number" ? delay : 0;
      break;
    }
    case T.TASK_RETRY_COMPLETED:
    case T.TASK_RETRY_FAILED:
      record.retryOpen = false;
      break;
    case T.EVENT_WAIT_STARTED: {
      record.kind = "event";
      const timeout = (valueOf(text, decoded) as { timeout?: unknown } | null)?.timeout;
      record.detail = typeof timeout === "number" ? timeout : undefined;
      break;
    }
    case T.EVENT_RECEIVED:
      record.outcome = { ok: true, text: kept, pick: "payload" };
      break;
    case T.EVENT_WAIT_TIMED_OUT:
      record.outcome = { ok: true, text: UNDEFINED_TEXT };
      break;
  }
}

function valueOf(text: string, decoded: { readonly value: unknown } | undefined): unknown {
  return decoded === undefined ? decodeValue(text) : decoded.value;
}

function classifyTask(record: StepRecord, args: readonly unknown[] | null): void {
  record.kind = "task";
  record.single = args !== null && args.length === 1;
  const only = args?.[0];
  record.detail = record.single && typeof only === "number" ? only : undefined;
}

function classifyOwn(record: StepRecord, value: unknown): void {
  const tagged = value as { sleep?: unknown; call?: unknown; parallel?: unknown };
  if (typeof tagged.sleep === "number") {
    record.kind = "sleep";
    record.detail = tagged.sleep;
  } else if (typeof tagged.call === "string") {
    record.kind = "call";
    record.detail = tagged.call;
  } else if (typeof tagged.parallel === "number") {
    record.kind = "parallel";
    record.detail = tagged.parallel;
  }
}

/** How a step of `kind` named `name` reads in messages: `task "charge"`, `subworkflow "approval"`, `sleep`. */
export function describeStep(kind: StepKind, name: string, detail?: number | string): string {
  switch (kind) {
    case "task":
      return `task "${name}"`;
    case "pause":
      return `pause "${name}"`;
    case "sleep":
      return "sleep";
    case "call":
      return `subworkflow "${name}"`;
    case "parallel":
      return detail === undefined ? "a parallel group" : `a parallel group of ${detail} branch${detail === 1 ? "" : "es"}`;
    case "event":
      return `a wait for event "${name}"`;
  }
}
