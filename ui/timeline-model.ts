import type { ExecutionEvent } from "flux-ts";
import { preview } from "./preview.js";
import { applyStepEvent, close, newStepLane, open } from "./timeline-steps.js";
import { describePausedAt } from "./waiting.js";

export { preview } from "./preview.js";

/** What a stretch of a lane shows. */
export type SegmentKind =
  | "running" | "done" | "failed" | "retry-wait" | "fallback" | "fallback-failed"
  | "rollback" | "rollback-failed" | "pause" | "resumed-pause" | "sleep"
  | "event-wait" | "event-received" | "event-timeout" | "cancelled";

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
  readonly kind: "retry" | "fallback" | "rollback" | "failed" | "resumed" | "paused" | "received" | "timed-out" | "cancelled";
  readonly time: number;
  readonly label: string;
}

/** One row of the timeline: the workflow itself, or one step (a task, pause, sleep, event wait or subworkflow call). */
export interface Lane {
  /** "" for the workflow row; the step id otherwise (prefixed with the call's id for a child's steps). */
  readonly id: string;
  readonly label: string;
  readonly depth: number;
  readonly kind: "workflow" | "task" | "pause" | "sleep" | "call" | "event";
  readonly segments: Segment[];
  readonly marks: Mark[];
  /** "waiting": an event wait that got nothing yet; "cancelled": the execution was cancelled while this went on. */
  status: "running" | "done" | "failed" | "paused" | "waiting" | "cancelled";
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
  // A loop, not Math.min(...times): a history of many steps would overflow the argument list.
  let start = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const lane of lanes) {
    for (const segment of lane.segments) {
      start = Math.min(start, segment.start, segment.end ?? now);
      last = Math.max(last, segment.start, segment.end ?? now);
    }
  }
  if (start === Number.POSITIVE_INFINITY) start = now;
  const end = last === Number.NEGATIVE_INFINITY ? now + 1 : Math.max(last, start + 1);
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
  let ended: number | undefined;
  for (const event of events) {
    if (event.type.startsWith("WORKFLOW_")) {
      applyWorkflowEvent(workflowLane, event, depth === 0 ? pauses : undefined);
      if (event.type === "WORKFLOW_COMPLETED" || event.type === "WORKFLOW_FAILED" || event.type === "WORKFLOW_CANCELLED") ended = event.time;
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
    if (ended !== undefined) endStep(lane, ended, workflowLane.status === "cancelled");
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
      endPause(pauses, event.time);
      break;
    case "WORKFLOW_PAUSED": {
      // The value names what it stopped at: a pause point, or "event:<name>", "call:<workflow>", "sleep".
      const at = describePausedAt(event.value);
      close(lane, event.time, "done");
      lane.segments.push({ kind: "pause", start: event.time, end: undefined, label: `paused: waiting for ${at}` });
      lane.marks.push({ kind: "paused", time: event.time, label: `paused at ${at}` });
      pauses?.push({ start: event.time, end: Number.POSITIVE_INFINITY });
      lane.status = "paused";
      break;
    }
    case "WORKFLOW_COMPLETED":
      close(lane, event.time, "done");
      lane.status = "done";
      break;
    case "WORKFLOW_FAILED":
      close(lane, event.time, "failed");
      lane.marks.push({ kind: "failed", time: event.time, label: `failed: ${preview(event.value)}` });
      lane.status = "failed";
      break;
    case "WORKFLOW_CANCELLED": {
      // Cancelled while running (the bar ends dark) or while suspended (the pause ends there).
      close(lane, event.time, open(lane)?.kind === "pause" ? "pause" : "cancelled");
      lane.marks.push({ kind: "cancelled", time: event.time, label: cancelLabel(event.value) });
      lane.status = "cancelled";
      endPause(pauses, event.time);
      break;
    }
  }
}

/** "cancelled: <reason>" from the recorded `CancelledError` (its `reason`, when it has one). */
function cancelLabel(value: unknown): string {
  const reason = (value as { reason?: unknown } | null)?.reason;
  return typeof reason === "string" ? `cancelled: ${reason}` : value instanceof Error ? `cancelled (${value.message})` : "cancelled";
}

/** Closes the workflow's last open pause interval at `time`. */
function endPause(pauses: { start: number; end: number }[] | undefined, time: number): void {
  const last = pauses?.at(-1);
  if (last !== undefined && last.end === Number.POSITIVE_INFINITY) last.end = time;
}

/**
 * A step still open when its execution ended (`time`) stopped there: a cancellation stops a
 * running task (nothing it does afterwards is recorded), a pause or event wait no one answered,
 * a parallel branch's task when another branch failed the workflow.
 */
function endStep(lane: Lane, time: number, cancelled: boolean): void {
  const segment = open(lane);
  if (segment === undefined) return;
  close(lane, time, cancelled && segment.kind === "running" ? "cancelled" : undefined, cancelled ? `${segment.label}; cancelled` : undefined);
  if (!cancelled) return;
  lane.marks.push({ kind: "cancelled", time, label: "cancelled here" });
  lane.status = "cancelled";
}

/** Ends what is still open at `now` (still running or still paused; shown as such). */
function closeOpen(lane: Lane, now: number): void {
  const segment = open(lane);
  if (segment !== undefined && segment.start > now) (segment as { start: number }).start = now;
}
