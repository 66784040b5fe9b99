import type { IDBPDatabase } from "idb";
import { ExecutionFinishedError, ExecutionNotFoundError } from "../../src/errors.js";
import { isTerminal } from "../../src/events.js";
import { cancelRequested, eventDelivered } from "../../src/execution-summary.js";
import type { CancelRequest, ExecutionSummary, InboxEvent } from "../../src/state-store.js";
import { pendingRange, type FluxDbSchema } from "./idb-schema.js";

// An execution's inbox (events sent to it) and the cancellation asked for, in IndexedDB.

const ignore = () => undefined;

/** What {@link deliverEvent} did: the event as kept, and the summary as it stands after it. */
export interface Delivered {
  readonly event: InboxEvent;
  readonly summary: ExecutionSummary;
}

/**
 * `StateStore.deliver` as ONE readwrite transaction over `inbox` and `executions` with
 * `durability: "strict"`: the summary and the inbox's last key are read together (one round
 * trip), then the event is added with the next seq and, when the execution is paused waiting on
 * an event of that name, its summary made due (`eventDelivered`). IndexedDB runs readwrite
 * transactions over the same stores one at a time, across tabs, so two deliveries never take
 * the same seq. Rejects with `ExecutionNotFoundError` or `ExecutionFinishedError`, writing
 * nothing, for an unknown or ended execution; `name` names the database in their messages.
 */
export async function deliverEvent(db: IDBPDatabase<FluxDbSchema>, name: string, executionId: string, event: Omit<InboxEvent, "seq">): Promise<Delivered> {
  const tx = db.transaction(["inbox", "executions"], "readwrite", { durability: "strict" });
  tx.done.catch(ignore);
  const inbox = tx.objectStore("inbox");
  const [summary, last] = await Promise.all([
    tx.objectStore("executions").get(executionId),
    inbox.openKeyCursor(IDBKeyRange.bound([executionId, 0], [executionId, Infinity]), "prev"),
  ]);
  if (summary === undefined || isTerminal(summary.state)) {
    abort(tx);
    if (summary === undefined) throw new ExecutionNotFoundError(`no execution ${executionId} in the IndexedDB database "${name}" to send the event "${event.name}" to: check the execution id`);
    throw new ExecutionFinishedError(`execution ${executionId} in the IndexedDB database "${name}" has ended (${summary.state}): the event "${event.name}" has nothing to reach`);
  }
  const delivered: InboxEvent = { seq: (last === null ? 0 : (last.key as [string, number])[1]) + 1, name: event.name, payload: event.payload, time: event.time };
  const due = eventDelivered(summary, event.name, event.time);
  await Promise.all([inbox.add({ executionId, ...delivered, pending: 1 }), ...(due === undefined ? [] : [tx.objectStore("executions").put(due)]), tx.done]);
  return { event: delivered, summary: due ?? summary };
}

/** The execution's pending inbox events in seq order: one read of the `pending` index. */
export async function pendingEvents(db: IDBPDatabase<FluxDbSchema>, executionId: string): Promise<InboxEvent[]> {
  const records = await db.getAllFromIndex("inbox", "pending", pendingRange(executionId));
  return records.map(({ seq, name, payload, time }) => ({ seq, name, payload, time }));
}

/**
 * `StateStore.requestCancel` as ONE readwrite transaction on the summary (`cancelRequested`:
 * an earlier request kept, a paused execution made due, an ended one left alone). Resolves with
 * the summary as it stands; `undefined` for an unknown execution (nothing written).
 */
export async function requestCancellation(db: IDBPDatabase<FluxDbSchema>, executionId: string, request: CancelRequest): Promise<ExecutionSummary | undefined> {
  const tx = db.transaction("executions", "readwrite", { durability: "strict" });
  tx.done.catch(ignore);
  const summary = await tx.store.get(executionId);
  const next = summary === undefined ? undefined : cancelRequested(summary, request);
  await Promise.all([...(next === undefined ? [] : [tx.store.put(next)]), tx.done]);
  return next ?? summary;
}

function abort(tx: { abort(): void }): void {
  try {
    tx.abort();
  } catch {
    // already finished
  }
}
