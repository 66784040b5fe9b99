import { decodeValue } from "../serialization.js";
import type { InspectedPage } from "../inspection.js";
import type { StoredEvent } from "../state-store.js";
import type { EventJson, ExecutionJson } from "./execution-json.js";
import { toWire, type JsonValue } from "./wire.js";

/** A value of at least this many characters (encoded) appears once in an inspection; later copies are `{ "$ref": pointer }`. */
export const REPEAT_REF_MIN = 1024;

/**
 * An inspection as the HTTP API and the CLI show it: the seeds' shape (`execution_id`, `name`,
 * `input`, `output`, `state`, `events`), with `next` (the address of the next page) when the
 * history holds events after this page.
 */
export interface InspectJson extends ExecutionJson {
  readonly events: readonly EventJson[];
  readonly next?: string;
}

/**
 * The JSON of one {@link InspectedPage}. A value of {@link REPEAT_REF_MIN} characters or more is
 * written once: a later event holding the same value (a task's result that is also the
 * workflow's output, say) holds `{ "$ref": "#/output" }` instead, a JSON Pointer into this answer.
 * `nextHref` makes the `next` address from the id the next page starts at.
 */
export function inspectJson(page: InspectedPage, nextHref: (from: number) => string): InspectJson {
  const seen = new Map<string, string>();
  const value = (text: string | undefined, pointer: string): JsonValue => {
    if (text === undefined) return null;
    if (text.length >= REPEAT_REF_MIN) {
      const earlier = seen.get(text);
      if (earlier !== undefined) return { $ref: earlier };
      seen.set(text, pointer);
    }
    return toWire(decodeValue(text));
  };
  const { summary } = page;
  const head = {
    execution_id: summary.executionId,
    name: summary.workflow,
    input: value(page.input, "#/input"),
    output: value(page.output, "#/output"),
    state: summary.state,
  };
  const events = page.events.map((event, index) => eventJson(event, value(event.value, `#/events/${index}/value`)));
  return page.next === undefined ? { ...head, events } : { ...head, events, next: nextHref(page.next) };
}

function eventJson(event: StoredEvent, value: JsonValue): EventJson {
  return { id: event.id, type: event.type, source_id: event.sourceId, name: event.name, value, time: new Date(event.time).toISOString() };
}

/**
 * `json` as a stream of UTF-8 JSON text, written a part at a time (the head, then each event), so
 * that a large answer is never one string in memory.
 */
export function inspectJsonStream(json: InspectJson): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const { events, next, ...head } = json;
  const parts = (function* (): Generator<string> {
    const headText = JSON.stringify(head);
    yield `${headText.slice(0, -1)},"events":[`;
    for (let i = 0; i < events.length; i++) yield `${i === 0 ? "" : ","}${JSON.stringify(events[i])}`;
    yield next === undefined ? "]}" : `],"next":${JSON.stringify(next)}}`;
  })();
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      let chunk = "";
      for (let part = parts.next(); !part.done; part = parts.next()) {
        chunk += part.value;
        if (chunk.length >= 64 * 1024) break;
      }
      if (chunk.length > 0) controller.enqueue(encoder.encode(chunk));
      else controller.close();
    },
  });
}
