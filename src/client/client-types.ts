import type { ExecutionState } from "../events.js";
import type { ExecutionCheck } from "../history-check.js";
import type { EventJson, PageJson } from "../http/execution-json.js";
import type { JsonValue } from "../http/wire.js";
import type { Workflow } from "../workflow.js";

export type { EventJson, PageJson, SummaryJson } from "../http/execution-json.js";
export type { JsonValue } from "../http/wire.js";

/** A workflow as the client names it: its definition (which types input and output) or its name. */
export type WorkflowRef<I = unknown, O = unknown> = Workflow<I, O> | string;

/** A recorded error as the API answers it (`toWire`): its name, message, code and cause; no stack. */
export interface ErrorJson {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly cause?: JsonValue;
  readonly [key: string]: JsonValue | undefined;
}

interface ExecutionBase<I> {
  readonly execution_id: string;
  /** The workflow's name. */
  readonly name: string;
  /** The input, as JSON (a Date in it is an ISO string). */
  readonly input: I;
  /**
   * With `inspect: true` (and always from {@link FluxClient.inspect}): the recorded events, a page
   * of them (the first 1,000 unless `from`/`limit` say otherwise). A value of 1 KB or more that the
   * answer already holds is `{ "$ref": "#/output" }` (a JSON Pointer to its first copy).
   */
  readonly events?: readonly EventJson[];
  /** The address of the next page of events (`GET /inspect/{id}?from=…&limit=…`) when more follow. */
  readonly next?: string;
}

/**
 * An execution as the API answers it: its `output` is typed by its `state` (the workflow's
 * output when it succeeded, the error when it failed or was cancelled, `null` otherwise).
 */
export type ExecutionResult<I = unknown, O = unknown> = ExecutionBase<I> & (
  | { readonly state: "succeeded"; readonly output: O }
  | { readonly state: "failed" | "cancelled"; readonly output: ErrorJson }
  | { readonly state: "created" | "queued" | "running" | "paused"; readonly output: null }
);

/** Options of {@link FluxClient.run} and {@link FluxClient.start}. */
export interface StartOptions {
  /** The execution's id, the idempotency key: an execution of that id is answered as it stands, never started twice. */
  readonly executionId?: string;
  /** Add the recorded events to the answer. */
  readonly inspect?: boolean;
  readonly signal?: AbortSignal;
}

/** An event as kept in an execution's inbox ({@link FluxClient.sendEvent}). */
export interface SentEvent {
  readonly execution_id: string;
  readonly name: string;
  /** Its place in the execution's inbox, from 1. */
  readonly seq: number;
  readonly time: string;
}

/** What {@link FluxClient.cancel} answers: `cancelled` is false when the execution had already ended. */
export interface CancelAnswer {
  readonly execution_id: string;
  readonly state: ExecutionState;
  readonly cancelled: boolean;
}

/** Filters and paging of {@link FluxClient.list}. */
export interface ListQuery {
  readonly workflow?: WorkflowRef<any, any>;
  readonly state?: ExecutionState;
  /** Page size, 1 to 1000 (default 100). */
  readonly limit?: number;
  /** The `next_cursor` of the previous page. */
  readonly cursor?: string;
  readonly signal?: AbortSignal;
}

/** A page of an execution's events ({@link FluxClient.events}). */
export interface EventsPage {
  readonly execution_id: string;
  readonly state: ExecutionState;
  readonly events: readonly EventJson[];
  /** Present when more events follow: pass it as `after` for the next page. */
  readonly next_after?: number;
}

/** Options of {@link FluxClient.events} and {@link FluxClient.stream}. */
export interface EventsQuery {
  /** Only the events whose id is greater (default -1: all). */
  readonly after?: number;
  /** `wire` (default): values as the API answers them; `flux`: as recorded (decode with `decodeValue(JSON.stringify(value))` for Dates and Errors with stacks). */
  readonly encoding?: "wire" | "flux";
  readonly signal?: AbortSignal;
}

/** Options of {@link FluxClient.stream}. */
export interface StreamOptions extends EventsQuery {
  /** How many times a dropped connection is reopened (after the last event received) before the stream fails (default 5). */
  readonly retries?: number;
}

/** The server's workflows ({@link FluxClient.workflows}) and health ({@link FluxClient.health}). */
export interface HealthJson {
  readonly status: "ok";
  readonly workflows: number;
}

/** An execution's history replayed against the server's code ({@link FluxClient.check}, `GET /executions/{id}/check`). */
export type CheckJson = ExecutionCheck;

/** The page type of {@link FluxClient.list}. */
export type ExecutionsPage = PageJson;
