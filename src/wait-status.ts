import { isTerminal } from "./events.js";
import type { ExecutionSummary, InboxEvent, Wait } from "./state-store.js";

/** How the engine reads other executions' state when it decides what a suspended one can do. */
export interface WaitReader {
  summary(executionId: string): Promise<ExecutionSummary | undefined>;
  /** What a paused execution waits on (its summary's waits, or its log's for older records). */
  waitsOf(executionId: string): Promise<readonly Wait[]>;
  /** The events waiting in an execution's inbox. */
  pendingEvents(executionId: string): Promise<InboxEvent[]>;
}

/** What a resume answers: a pause of the execution itself, or a paused subworkflow it waits on (which answers it in turn). */
export type ResumeTarget =
  | { readonly kind: "pause"; readonly stepId: string; readonly name: string }
  | { readonly kind: "child"; readonly executionId: string };

/** Subworkflows nest at most this deep for a resume to find its pause (a guard against a corrupt store's cycles). */
const MAX_DEPTH = 1_000;

/**
 * The wait a resume of an execution suspended on `waits` (in step order) answers: the first that
 * is a pause of its own, or a paused subworkflow whose own resume target exists (forwarded down
 * the chain); `undefined` when it waits on nothing a resume can answer (timers, running children).
 */
export async function resumeTarget(waits: readonly Wait[], reader: WaitReader, depth = 0): Promise<ResumeTarget | undefined> {
  for (const wait of waits) {
    if (wait.kind === "pause") return { kind: "pause", stepId: wait.stepId, name: wait.name };
    if (wait.kind !== "child" || depth >= MAX_DEPTH) continue;
    const child = await reader.summary(wait.executionId);
    if (child?.state !== "paused") continue;
    if ((await resumeTarget(await reader.waitsOf(wait.executionId), reader, depth + 1)) !== undefined) {
      return { kind: "child", executionId: wait.executionId };
    }
  }
  return undefined;
}

/**
 * True when a wait of `executionId` other than a pause is satisfied at `now`: a timer (or an
 * event wait's timeout) came due, a subworkflow ended, an event it waits on is in its inbox.
 * Then a replay of the execution moves on (a pause needs a resume aimed at it).
 */
export async function canMoveOn(executionId: string, waits: readonly Wait[], now: number, reader: WaitReader): Promise<boolean> {
  for (const wait of waits) {
    if ((wait.kind === "timer" || wait.kind === "event") && wait.until !== undefined && wait.until <= now) return true;
  }
  const names = new Set(waits.flatMap((wait) => (wait.kind === "event" ? [wait.name] : [])));
  if (names.size > 0 && (await reader.pendingEvents(executionId)).some((event) => names.has(event.name))) return true;
  const children = waits.flatMap((wait) => (wait.kind === "child" ? [wait.executionId] : []));
  const summaries = await Promise.all(children.map((id) => reader.summary(id)));
  return summaries.some((summary) => summary !== undefined && isTerminal(summary.state));
}
