import type { ExecutionEvent } from "flux-ts";

/**
 * A wait of an execution that nothing answered yet, read from its log: a pause point (Resume
 * answers it), an event wait (Send event answers it; `until` is its timeout's deadline) or a
 * subworkflow call (its child may be paused in turn).
 */
export type OpenWait =
  | { readonly kind: "pause"; readonly stepId: string; readonly name: string }
  | { readonly kind: "event"; readonly stepId: string; readonly name: string; readonly until?: number }
  | { readonly kind: "call"; readonly stepId: string; readonly name: string };

/**
 * The waits of an execution still open at the end of `events`, in the order they began: as the
 * engine's own reading of a log (`pendingWaits`), for the buttons of a suspended execution. None
 * once the execution ended.
 */
export function openWaits(events: readonly ExecutionEvent[]): OpenWait[] {
  const open = new Map<string, OpenWait>();
  for (const event of events) {
    const stepId = event.sourceId;
    switch (event.type) {
      case "TASK_PAUSED":
        open.set(stepId, { kind: "pause", stepId, name: event.name });
        break;
      case "EVENT_WAIT_STARTED": {
        const timeout = (event.value as { timeout?: unknown } | null)?.timeout;
        open.set(stepId, { kind: "event", stepId, name: event.name, ...(typeof timeout === "number" ? { until: event.time + timeout } : {}) });
        break;
      }
      case "TASK_STARTED":
        if (typeof (event.value as { call?: unknown } | null)?.call === "string") open.set(stepId, { kind: "call", stepId, name: event.name });
        break;
      case "TASK_RESUMED":
      case "TASK_COMPLETED":
      case "TASK_FAILED":
      case "EVENT_RECEIVED":
      case "EVENT_WAIT_TIMED_OUT":
        open.delete(stepId);
        break;
      case "WORKFLOW_COMPLETED":
      case "WORKFLOW_FAILED":
      case "WORKFLOW_CANCELLED":
        open.clear();
        break;
    }
  }
  return [...open.values()];
}

/** What a `WORKFLOW_PAUSED` value says the execution stopped at. */
export interface PausedAt {
  readonly kind: "pause" | "event" | "call" | "sleep";
  /** The pause point's, the event's or the subworkflow's name ("" for a sleep). */
  readonly name: string;
}

/**
 * Reads a `WORKFLOW_PAUSED` value: the name of the pause point the execution stopped at, or for
 * another first wait `"sleep"`, `"call:<workflow>"` or `"event:<name>"`; older records have
 * `{ pauses: [...] }` or a bare array of pause names.
 */
export function pausedAt(value: unknown): PausedAt[] {
  if (typeof value === "string") {
    if (value === "sleep") return [{ kind: "sleep", name: "" }];
    if (value.startsWith("event:")) return [{ kind: "event", name: value.slice(6) }];
    if (value.startsWith("call:")) return [{ kind: "call", name: value.slice(5) }];
    return [{ kind: "pause", name: value }];
  }
  const old = value as { pauses?: unknown } | unknown[] | null;
  const names = Array.isArray(old) ? old : Array.isArray(old?.pauses) ? old.pauses : [];
  return names.filter((name): name is string => typeof name === "string").map((name) => ({ kind: "pause", name }));
}

/** `pausedAt` for people: `pause "approval"`, `event "approval"`, `subworkflow "x"`, `a sleep`. */
export function describePausedAt(value: unknown): string {
  const at = pausedAt(value);
  if (at.length === 0) return "a pause";
  return at.map((p) => (p.kind === "sleep" ? "a sleep" : `${p.kind === "call" ? "subworkflow" : p.kind} "${p.name}"`)).join(", ");
}
