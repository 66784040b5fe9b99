import type { StoredEvent } from "../../src/state-store.js";
import type { EventBatchRecord, EventRecord } from "./idb-schema.js";

/**
 * The record a commit adds to the `events` object store for its `events` (ids in order, at
 * least one): one event as an {@link EventRecord}, several as ONE {@link EventBatchRecord} keyed
 * by the first id. One record a commit, because in Chromium every request of a transaction costs
 * the browser process work of its own: a step's two events as one `add` measured 0.85 of the
 * one-put floor against 0.74 as two (bench/README.md).
 */
export function eventsRecord(executionId: string, events: readonly StoredEvent[]): EventRecord | EventBatchRecord {
  const first = events[0];
  if (first === undefined) throw new TypeError(`eventsRecord: no events to keep for execution ${executionId}`);
  if (events.length === 1) return { ...first, executionId };
  return { executionId, id: first.id, batch: events };
}

/**
 * The events of `records` (read in key order from one execution's key range) from id `from`
 * on, at most `limit` of them (all when undefined), in id order: batches are unrolled, and the
 * events of a batch that starts before `from` are left out.
 */
export function eventsOf(records: readonly (EventRecord | EventBatchRecord)[], from: number, limit?: number): StoredEvent[] {
  const events: StoredEvent[] = [];
  const max = limit ?? Infinity;
  for (const record of records) {
    if ("batch" in record) {
      for (const event of record.batch) {
        if (events.length >= max) return events;
        if (event.id >= from) events.push(event);
      }
    } else {
      if (events.length >= max) return events;
      if (record.id < from) continue;
      const { executionId: _, ...event } = record;
      events.push(event);
    }
  }
  return events;
}
