import type { ExecutionEvent } from "flux-ts";
import { preview } from "./preview.js";
import { formatDuration } from "./time-scale.js";
import type { Lane, Segment, SegmentKind } from "./timeline-model.js";

/** The lane of the step whose first event is `event`: a task, pause, sleep or event wait (a call becomes one when its child is found). */
export function newStepLane(event: ExecutionEvent, prefix: string, parentDepth: number): Lane {
  const stepId = event.sourceId;
  const nested = stepId.split(".").length - 1;
  const kind = event.type === "TASK_PAUSED" ? "pause" : event.type === "EVENT_WAIT_STARTED" ? "event" : event.name === "sleep" ? "sleep" : "task";
  const id = prefix === "" ? stepId : `${prefix}.${stepId}`;
  const label = kind === "event" ? `${stepId}  event "${event.name}"` : `${stepId}  ${event.name}`;
  return { id, label, depth: parentDepth + 1 + nested, kind, segments: [], marks: [], status: "running", order: event.id };
}

/** The lane's segment still going on, if any. */
export function open(lane: Lane): Segment | undefined {
  const last = lane.segments.at(-1);
  return last !== undefined && last.end === undefined ? last : undefined;
}

/** Ends the lane's open segment at `time`, as `kind` (and with `label`) when given. */
export function close(lane: Lane, time: number, kind?: SegmentKind, label?: string): void {
  const segment = open(lane);
  if (segment === undefined) return;
  segment.end = time;
  if (kind !== undefined) (segment as { kind: SegmentKind }).kind = kind;
  if (label !== undefined) (segment as { label: string }).label = label;
}

/** Applies one event of a step (task, pause, sleep, call or event wait) to its lane. */
export function applyStepEvent(lane: Lane, event: ExecutionEvent): void {
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
    case "EVENT_WAIT_STARTED":
    case "EVENT_RECEIVED":
    case "EVENT_WAIT_TIMED_OUT":
      applyEventWait(lane, event);
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

/**
 * An event wait (`ctx.waitForEvent`): waiting from its start, then received (with the payload,
 * `{ seq, payload }` as recorded) or timed out. An event already in the inbox is received at once.
 */
function applyEventWait(lane: Lane, event: ExecutionEvent): void {
  const { time, value, name } = event;
  const started = lane.segments[0]?.start ?? time;
  const after = formatDuration(time - started);
  switch (event.type) {
    case "EVENT_WAIT_STARTED": {
      const timeout = (value as { timeout?: unknown } | null)?.timeout;
      const limit = typeof timeout === "number" ? `, timeout ${formatDuration(timeout)}` : ", no timeout";
      lane.segments.push({ kind: "event-wait", start: time, end: undefined, label: `waiting for event "${name}"${limit}` });
      lane.status = "waiting";
      break;
    }
    case "EVENT_RECEIVED": {
      const { payload, seq } = (value ?? {}) as { payload?: unknown; seq?: unknown };
      close(lane, time, "event-received", `event "${name}" received after ${after}: ${preview(payload)}`);
      lane.marks.push({ kind: "received", time, label: `received "${name}"${typeof seq === "number" ? ` (#${seq})` : ""}: ${preview(payload, 200)}` });
      lane.status = "done";
      break;
    }
    case "EVENT_WAIT_TIMED_OUT":
      close(lane, time, "event-timeout", `no event "${name}": timed out after ${after}`);
      lane.marks.push({ kind: "timed-out", time, label: `timed out after ${after}: waitForEvent returned undefined` });
      lane.status = "done";
      break;
  }
}
