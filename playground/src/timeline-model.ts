import type { ExecutionEvent } from "flux-ts";

/** What a stretch of a lane shows. */
export type SegmentKind =
  | "running" | "done" | "failed" | "retry-wait" | "fallback" | "fallback-failed"
  | "rollback" | "rollback-failed" | "pause" | "resumed-pause" | "sleep";

/** A stretch of time on one lane; `end` is undefined while it is still going on. */
export interface Segment {
  readonly kind: SegmentKind;
  readonly start: number;
  end: number | undefined;
  /** Shown on hover. */
  readonly label: string;
}

/** A point of interest on a lane. */
export interface Mark {
  readonly kind: "retry" | "fallback" | "rollback" | "failed" | "resumed" | "paused";
  readonly time: number;
  readonly label: string;
}

/** One row of the timeline: the workflow itself, or one step (a task, pause, sleep or subworkflow call). */
export interface Lane {
  /** "" for the workflow row; the step id otherwise (prefixed with the call's id for a child's steps). */
  readonly id: string;
  readonly label: string;
  readonly depth: number;
  readonly kind: "workflow" | "task" | "pause" | "sleep" | "call";
  readonly segments: Segment[];
  readonly marks: Mark[];
  status: "running" | "done" | "failed" | "paused";
  /** Id of the first event of this lane (rows are in start order). */
  readonly order: number;
}

/** Lanes and the interval they cover, plus the paused intervals a scale may compress. */
export interface TimelineModel {
  readonly lanes: Lane[];
  readonly start: number;
  readonly end: number;
  /** Intervals during which the whole workflow was paused (still paused: ends at `end`). */
  readonly pauses: readonly { start: number; end: number }[];
}

/**
 * The timeline of an execution, from its events alone (deterministic: the same history always
 * draws the same picture). `children` holds the events of subworkflow executions by id; each is
 * drawn under the step that called it. `now` closes what is still open.
 */
export function buildTimeline(events: readonly ExecutionEvent[], children: ReadonlyMap<string, readonly ExecutionEvent[]>, now: number, executionId?: string): TimelineModel {
  const lanes: Lane[] = [];
  const pauses: { start: number; end: number }[] = [];
  addExecution(lanes, pauses, events, children, now, "", 0, executionId);
  const times = lanes.flatMap((lane) => lane.segments.flatMap((s) => [s.start, s.end ?? now]));
  const start = times.length > 0 ? Math.min(...times) : now;
  const end = times.length > 0 ? Math.max(...times, start + 1) : now + 1;
  for (const pause of pauses) pause.end = Math.min(pause.end, end);
  return { lanes, start, end, pauses };
}

function addExecution(
  lanes: Lane[], pauses: { start: number; end: number }[], events: readonly ExecutionEvent[],
  children: ReadonlyMap<string, readonly ExecutionEvent[]>, now: number, prefix: string, depth: number, executionId?: string,
): void {
  const first = events[0];
  if (first === undefined) return;
  const id = executionId ?? first.sourceId;
  const workflowLane: Lane = { id: prefix, label: first.name, depth, kind: "workflow", segments: [], marks: [], status: "running", order: -1 };
  const steps = new Map<string, Lane>();
  const stepOrder: Lane[] = [];
  /** The child execution id a call recorded (`{ call: id, input }`), by step id. */
  const childIds = new Map<string, string>();
  for (const event of events) {
    if (event.type.startsWith("WORKFLOW_")) {
      applyWorkflowEvent(workflowLane, event, depth === 0 ? pauses : undefined);
      continue;
    }
    const started = event.type === "TASK_STARTED" ? (event.value as { parallel?: unknown; call?: unknown } | null) : null;
    // A parallel group is no step of its own: its branches' steps are drawn.
    if (typeof started?.parallel === "number" && !Array.isArray(started)) continue;
    if (typeof started?.call === "string") childIds.set(event.sourceId, started.call);
    let lane = steps.get(event.sourceId);
    if (lane === undefined) {
      lane = newStepLane(event, prefix, depth);
      steps.set(event.sourceId, lane);
      stepOrder.push(lane);
    }
    applyStepEvent(lane, event);
  }
  closeOpen(workflowLane, now);
  lanes.push(workflowLane);
  for (const lane of stepOrder) {
    closeOpen(lane, now);
    lanes.push(lane);
    const stepId = lane.id.slice(prefix === "" ? 0 : prefix.length + 1);
    const childId = childIds.get(stepId) ?? `${id}.${stepId}`;
    const child = children.get(childId);
    if (child !== undefined && child.length > 0) {
      (lane as { kind: Lane["kind"] }).kind = "call";
      addExecution(lanes, pauses, child, children, now, lane.id, lane.depth + 1, childId);
    }
  }
}

function newStepLane(event: ExecutionEvent, prefix: string, parentDepth: number): Lane {
  const stepId = event.sourceId;
  const nested = stepId.split(".").length - 1;
  const kind = event.type === "TASK_PAUSED" ? "pause" : event.name === "sleep" ? "sleep" : "task";
  const id = prefix === "" ? stepId : `${prefix}.${stepId}`;
  return { id, label: `${stepId}  ${event.name}`, depth: parentDepth + 1 + nested, kind, segments: [], marks: [], status: "running", order: event.id };
}

function open(lane: Lane): Segment | undefined {
  const last = lane.segments.at(-1);
  return last !== undefined && last.end === undefined ? last : undefined;
}

function close(lane: Lane, time: number, kind?: SegmentKind): void {
  const segment = open(lane);
  if (segment === undefined) return;
  segment.end = time;
  if (kind !== undefined) (segment as { kind: SegmentKind }).kind = kind;
}

function applyWorkflowEvent(lane: Lane, event: ExecutionEvent, pauses?: { start: number; end: number }[]): void {
  switch (event.type) {
    case "WORKFLOW_STARTED":
      lane.segments.push({ kind: "running", start: event.time, end: undefined, label: "running" });
      break;
    case "WORKFLOW_RESUMED":
      close(lane, event.time);
      lane.marks.push({ kind: "resumed", time: event.time, label: `resumed with ${preview(event.value)}` });
      lane.segments.push({ kind: "running", start: event.time, end: undefined, label: "running" });
      lane.status = "running";
      break;
    case "WORKFLOW_PAUSED":
      close(lane, event.time, "done");
      lane.segments.push({ kind: "pause", start: event.time, end: undefined, label: "paused: waiting for resume" });
      lane.marks.push({ kind: "paused", time: event.time, label: "paused" });
      pauses?.push({ start: event.time, end: Number.POSITIVE_INFINITY });
      lane.status = "paused";
      break;
    case "WORKFLOW_COMPLETED":
      close(lane, event.time, "done");
      lane.status = "done";
      break;
    case "WORKFLOW_FAILED":
      close(lane, event.time, "failed");
      lane.marks.push({ kind: "failed", time: event.time, label: `failed: ${preview(event.value)}` });
      lane.status = "failed";
      break;
  }
  if (event.type === "WORKFLOW_RESUMED" && pauses !== undefined) {
    const last = pauses.at(-1);
    if (last !== undefined && last.end === Number.POSITIVE_INFINITY) last.end = event.time;
  }
}

function applyStepEvent(lane: Lane, event: ExecutionEvent): void {
  const { time, value } = event;
  switch (event.type) {
    case "TASK_STARTED": {
      // A sleep records { sleep: ms } (older histories [ms]); a call { call: childId, input }.
      const ms = Array.isArray(value) ? value[0] : (value as { sleep?: unknown } | null)?.sleep;
      const args = value !== null && typeof value === "object" && !Array.isArray(value) && "call" in value ? [(value as { input?: unknown }).input] : value;
      const label = lane.kind === "sleep" ? `sleep ${typeof ms === "number" ? `${ms} ms` : ""}` : `attempt 1 (args ${preview(args)})`;
      lane.segments.push({ kind: lane.kind === "sleep" ? "sleep" : "running", start: time, end: undefined, label });
      break;
    }
    case "TASK_COMPLETED":
      close(lane, time, lane.kind === "sleep" ? "sleep" : "done");
      lane.status = "done";
      break;
    case "TASK_FAILED":
      close(lane, time, "failed");
      lane.marks.push({ kind: "failed", time, label: `failed: ${preview(value)}` });
      lane.status = "failed";
      break;
    case "TASK_PAUSED":
      lane.segments.push({ kind: "pause", start: time, end: undefined, label: `pause "${event.name}"` });
      lane.status = "paused";
      break;
    case "TASK_RESUMED":
      close(lane, time, "resumed-pause");
      lane.marks.push({ kind: "resumed", time, label: `resumed with ${preview(value)}` });
      lane.status = "done";
      break;
    case "TASK_RETRY_STARTED": {
      const { attempt, delay } = (value ?? {}) as { attempt?: number; delay?: number };
      close(lane, time, "failed");
      lane.marks.push({ kind: "retry", time, label: `retry ${attempt ?? "?"}${delay ? ` after ${delay} ms` : ""}` });
      const resumeAt = time + (typeof delay === "number" ? delay : 0);
      if (resumeAt > time) lane.segments.push({ kind: "retry-wait", start: time, end: resumeAt, label: `waiting ${delay} ms before retry ${attempt}` });
      lane.segments.push({ kind: "running", start: resumeAt, end: undefined, label: `attempt ${(attempt ?? 0) + 1}` });
      break;
    }
    case "TASK_RETRY_FAILED":
      close(lane, time, "failed");
      break;
    case "TASK_RETRY_COMPLETED":
      close(lane, time, "done");
      break;
    case "TASK_FALLBACK_STARTED":
      close(lane, time, "failed");
      lane.marks.push({ kind: "fallback", time, label: "fallback" });
      lane.segments.push({ kind: "fallback", start: time, end: undefined, label: "fallback" });
      break;
    case "TASK_FALLBACK_COMPLETED":
      close(lane, time, "fallback");
      break;
    case "TASK_FALLBACK_FAILED":
      close(lane, time, "fallback-failed");
      break;
    case "TASK_ROLLBACK_STARTED":
      close(lane, time, "failed");
      lane.marks.push({ kind: "rollback", time, label: "rollback" });
      lane.segments.push({ kind: "rollback", start: time, end: undefined, label: "rollback" });
      break;
    case "TASK_ROLLBACK_COMPLETED":
      close(lane, time, "rollback");
      break;
    case "TASK_ROLLBACK_FAILED":
      close(lane, time, "rollback-failed");
      break;
  }
  // A retry's wait is over once a later event arrives; a running segment cannot start after its end.
  for (const segment of lane.segments) if (segment.end !== undefined && segment.end < segment.start) segment.end = segment.start;
}

/** Ends what is still open at `now` (still running or still paused; shown as such). */
function closeOpen(lane: Lane, now: number): void {
  const segment = open(lane);
  if (segment !== undefined && segment.start > now) (segment as { start: number }).start = now;
}

/** A short, one-line rendering of a recorded value. */
export function preview(value: unknown, max = 60): string {
  let text: string;
  if (value instanceof Error) text = `${value.name}: ${value.message}`;
  else if (value instanceof Date) text = value.toISOString();
  else if (value === undefined) text = "undefined";
  else {
    try {
      // Errors nested in values (a retry's failure) read as "Name: message", not "{}".
      text = JSON.stringify(value, (_key, item: unknown) => (item instanceof Error ? `${item.name}: ${item.message}` : item)) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
