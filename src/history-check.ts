import { NonDeterminismError } from "./errors.js";
import { ExecutionEventType as T, type ExecutionState } from "./events.js";
import { replayHistory } from "./history.js";
import type { StateStore, StoredEvent } from "./state-store.js";
import type { Workflow } from "./workflow.js";

/**
 * What replaying one stored history against today's code showed (`flux check`, the dashboard's
 * check, `GET /executions/{id}/check`, the playground's replay).
 */
export interface HistoryCheck {
  /**
   * `compatible`: the code replays the history (each step, and the ending); `divergent`: it does
   * not (`divergence` names the first step that differs, what was recorded and what the code
   * calls now); `unchecked`: the replay could not run (`reason`).
   */
  readonly result: "compatible" | "divergent" | "unchecked";
  readonly divergence?: string;
  readonly reason?: string;
  /** The recorded steps the replay returned from the history (none ran). */
  readonly steps: number;
}

/** {@link checkHistory}'s options. */
export interface HistoryCheckOptions {
  /** The subworkflows' histories by execution id (see {@link loadHistory}); a parent waiting on one needs it. */
  readonly children?: Readonly<Record<string, readonly StoredEvent[]>>;
  /** Give up (`unchecked`) after this many ms (default 10 000): workflow code awaiting something that is not durable never ends a replay. */
  readonly timeoutMs?: number;
}

/** The message a strict replay gives for a call past the end of the history (see durable/replay-check.ts). */
const PAST_THE_END = "which the history does not have";

/**
 * Replays `events` (one execution's history) against `workflow`'s code with
 * {@link replayHistory}: nothing runs, nothing is written. A history that has not ended (a
 * running execution's, or a cancelled one's, which stopped mid-way) is replayed up to its first
 * step still open, and code that calls steps past that point is compatible: a deploy only needs
 * what was recorded to replay. Never rejects: a failure to replay is `unchecked`.
 *
 * @example
 * const check = await checkHistory(order, await store.load(id));
 * if (check.result === "divergent") console.log(check.divergence);
 */
export async function checkHistory(workflow: Workflow<unknown, unknown>, events: readonly StoredEvent[], options: HistoryCheckOptions = {}): Promise<HistoryCheck> {
  const last = events.at(-1);
  const open = last !== undefined && last.type !== T.WORKFLOW_COMPLETED && last.type !== T.WORKFLOW_FAILED && last.type !== T.WORKFLOW_PAUSED;
  const history = open ? upToOpenStep(last.type === T.WORKFLOW_CANCELLED ? events.slice(0, -1) : events) : events;
  const steps = new Set(history.filter((e) => e.type === T.TASK_STARTED).map((e) => e.sourceId)).size;
  const timeoutMs = options.timeoutMs ?? 10_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutSignal(timeoutMs)), timeoutMs);
  });
  try {
    await Promise.race([replayHistory(workflow, history, options.children === undefined ? {} : { children: options.children }), timeout]);
    return { result: "compatible", steps };
  } catch (error) {
    if (error instanceof NonDeterminismError) {
      if (open && error.message.includes(PAST_THE_END)) return { result: "compatible", steps };
      return { result: "divergent", divergence: error.message, steps };
    }
    const reason = error instanceof TimeoutSignal ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { result: "unchecked", reason, steps };
  } finally {
    clearTimeout(timer);
  }
}

class TimeoutSignal extends Error {
  constructor(ms: number) {
    super(`the replay did not end within ${ms / 1000} s: does the workflow await something that is not a durable call (a bare promise, a timer)?`);
  }
}

/** One execution's history and its subworkflows', as {@link checkHistory} and an export need them. */
export interface LoadedHistory {
  readonly events: readonly StoredEvent[];
  /** The subworkflows' histories by execution id, at any depth (those the store has). */
  readonly children: Record<string, readonly StoredEvent[]>;
}

/**
 * Reads `executionId`'s history from `store`, with those of the subworkflows it called (found by
 * the `call` their step's start recorded, at any depth). An unknown id gives no events.
 */
export async function loadHistory(store: StateStore, executionId: string): Promise<LoadedHistory> {
  const events = await store.load(executionId);
  const children: Record<string, readonly StoredEvent[]> = {};
  const visit = async (log: readonly StoredEvent[]): Promise<void> => {
    for (const id of calledIds(log)) {
      if (id in children) continue;
      const child = await store.load(id);
      if (child.length === 0) continue;
      children[id] = child;
      await visit(child);
    }
  };
  await visit(events);
  return { events, children };
}

/** The execution ids of the subworkflows a history called (its call steps' starts), in order. */
export function calledIds(events: readonly StoredEvent[]): string[] {
  const ids: string[] = [];
  for (const event of events) {
    if (event.type !== T.TASK_STARTED || !event.value.startsWith('{"call":')) continue;
    const call = (JSON.parse(event.value) as { call?: unknown }).call;
    if (typeof call === "string") ids.push(call);
  }
  return ids;
}

/** What {@link checkExecution} found: the check, for the execution named. */
export interface ExecutionCheck extends HistoryCheck {
  readonly execution_id: string;
  readonly workflow: string;
  readonly state: ExecutionState;
}

/**
 * Checks the stored execution `executionId` of `workflow` against `workflow`'s code (see
 * {@link checkHistory}), with its subworkflows' histories. `undefined` when the store has no
 * such execution.
 */
export async function checkExecution(store: StateStore, workflow: Workflow<unknown, unknown>, executionId: string, options: Pick<HistoryCheckOptions, "timeoutMs"> = {}): Promise<ExecutionCheck | undefined> {
  const summary = await store.get(executionId);
  if (summary === undefined) return undefined;
  const { events, children } = await loadHistory(store, executionId);
  const check = await checkHistory(workflow, events, { ...options, children });
  return { execution_id: executionId, workflow: summary.workflow, state: summary.state, ...check };
}

const opens = new Set<string>([T.TASK_STARTED, T.TASK_PAUSED, T.EVENT_WAIT_STARTED]);
const closes = new Set<string>([T.TASK_COMPLETED, T.TASK_FAILED, T.TASK_RESUMED, T.EVENT_RECEIVED, T.EVENT_WAIT_TIMED_OUT]);

/** The events before the first step that started and did not finish (a running execution's in-flight step). */
function upToOpenStep(events: readonly StoredEvent[]): StoredEvent[] {
  const open = new Map<string, number>();
  for (const event of events) {
    if (opens.has(event.type) && !open.has(event.sourceId)) open.set(event.sourceId, event.id);
    else if (closes.has(event.type)) open.delete(event.sourceId);
  }
  return events.slice(0, Math.min(events.length, ...open.values()));
}
