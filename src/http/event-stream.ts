import type { Engine } from "../engine.js";
import { isTerminal } from "../events.js";
import { ExecutionNotFoundError } from "../errors.js";
import { decodeValue } from "../serialization.js";
import type { StoredEvent } from "../state-store.js";
import { eventJson, type EventJson } from "./execution-json.js";
import type { JsonValue } from "./wire.js";

/** How event values are written: `wire` as the API answers them (`toWire`), `flux` as recorded (the engine's tagged JSON: Dates, Errors with their stacks, `undefined`). */
export type ValueEncoding = "wire" | "flux";

/** Options of {@link eventStream}. */
export interface EventStreamOptions {
  /** Send the events whose id is greater than this (a `Last-Event-ID`); -1 (default) sends them all. */
  readonly after?: number;
  readonly encoding?: ValueEncoding;
  /** How often the store is read again when nothing told this process of a new event (ms, default 500): events written by another process of the same store. */
  readonly pollMs?: number;
  /** A keep-alive comment after this much silence (ms, default 15 s), so proxies keep the connection. */
  readonly heartbeatMs?: number;
  /** When aborted, the stream ends (a server stopping). */
  readonly signal?: AbortSignal;
}

/** The largest number of events read from the store at once. */
const batch = 500;

/**
 * One execution's events as a Server-Sent Events stream (`text/event-stream`): each recorded
 * event as `event: event`, its id as the SSE `id` (so a client that reconnects with
 * `Last-Event-ID` gets what follows and nothing twice) and its JSON ({@link EventJson}) as data;
 * then, once the execution ended and every event was sent, `event: end` with
 * `{ execution_id, state }`, and the stream closes. While it runs or is paused the stream stays
 * open. Events are read from the store (in log order, without gaps), right after this engine
 * records one (its notices) and every `pollMs` otherwise, so events recorded by other runners of
 * the same store arrive too. Rejects with `ExecutionNotFoundError` for an unknown execution.
 */
export async function eventStream(engine: Engine, executionId: string, options: EventStreamOptions = {}): Promise<ReadableStream<Uint8Array>> {
  if ((await engine.store.get(executionId)) === undefined) {
    throw new ExecutionNotFoundError(`no execution ${executionId}: check the id (POST /{workflow} answers it as execution_id)`);
  }
  const encoder = new TextEncoder();
  const pollMs = options.pollMs ?? 500;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  let next = Math.max((options.after ?? -1) + 1, 0);
  let closed = false;
  let wake: (() => void) | undefined;
  const poke = () => wake?.();
  const unsubscribe = engine.subscribe((notice) => {
    if (notice.kind === "event" && notice.executionId === executionId) poke();
  });
  options.signal?.addEventListener("abort", poke, { once: true });
  const stop = () => {
    closed = true;
    unsubscribe();
    options.signal?.removeEventListener("abort", poke);
    poke();
  };
  let lastWrite = Date.now();

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        for (;;) {
          if (closed || options.signal?.aborted === true) {
            stop();
            controller.close();
            return;
          }
          const summary = await engine.store.get(executionId);
          const events = await engine.store.load(executionId, { from: next, limit: batch });
          if (events.length > 0) {
            next = events.at(-1)!.id + 1;
            lastWrite = Date.now();
            controller.enqueue(encoder.encode(events.map((event) => sseEvent(event, options.encoding ?? "wire")).join("")));
            return;
          }
          if (summary !== undefined && isTerminal(summary.state) && next >= summary.events) {
            controller.enqueue(encoder.encode(`event: end\ndata: ${JSON.stringify({ execution_id: executionId, state: summary.state })}\n\n`));
            stop();
            controller.close();
            return;
          }
          if (Date.now() - lastWrite >= heartbeatMs) {
            lastWrite = Date.now();
            controller.enqueue(encoder.encode(": keep-alive\n\n"));
            return;
          }
          await new Promise<void>((resolve) => {
            const timer = setTimeout(done, Math.min(pollMs, heartbeatMs));
            function done() {
              clearTimeout(timer);
              wake = undefined;
              resolve();
            }
            wake = done;
          });
        }
      } catch {
        // The store failed or closed under the stream (the server stops): end it without `end`,
        // so the client reconnects (with Last-Event-ID) and misses nothing.
        stop();
        controller.close();
      }
    },
    cancel() {
      stop();
    },
  });
}

/** One recorded event as an SSE message. */
function sseEvent(event: StoredEvent, encoding: ValueEncoding): string {
  return `event: event\nid: ${event.id}\ndata: ${JSON.stringify(storedEventJson(event, encoding))}\n\n`;
}

/**
 * A stored event as JSON: its value as the API shows it (`wire`), or as recorded (`flux`: the
 * engine's tagged JSON, which `decodeValue(JSON.stringify(value))` turns back into Dates and Errors).
 */
export function storedEventJson(event: StoredEvent, encoding: ValueEncoding): EventJson {
  if (encoding === "flux") {
    return { id: event.id, type: event.type, source_id: event.sourceId, name: event.name, value: JSON.parse(event.value) as JsonValue, time: new Date(event.time).toISOString() };
  }
  return eventJson({ ...event, type: event.type as never, value: decodeValue(event.value) });
}
