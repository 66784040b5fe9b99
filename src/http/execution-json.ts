import type { ExecutionEvent, ExecutionState } from "../events.js";
import type { WorkflowExecutionContext } from "../execution-context.js";
import type { ExecutionPage, ExecutionSummary } from "../state-store.js";
import { toWire, type JsonValue } from "./wire.js";

/** An event as the HTTP API and the CLI show it (snake_case keys, ISO time). */
export interface EventJson {
  readonly id: number;
  readonly type: string;
  readonly source_id: string;
  readonly name: string;
  readonly value: JsonValue;
  readonly time: string;
}

/**
 * The seeds' response format: `execution_id`, `name`, `input`, `output`, plus `state`, and
 * `events` when asked for (`?inspect=true`, `flux exec --inspect`, `flux inspect`).
 */
export interface ExecutionJson {
  readonly execution_id: string;
  readonly name: string;
  readonly input: JsonValue;
  readonly output: JsonValue;
  readonly state: ExecutionState;
  readonly events?: readonly EventJson[];
}

/** A line of `flux list` / a listed execution. */
export interface SummaryJson {
  readonly execution_id: string;
  readonly workflow: string;
  readonly state: ExecutionState;
  readonly events: number;
  readonly created_at: string;
  readonly updated_at: string;
  /** The execution that runs this one as a subworkflow. */
  readonly parent_id?: string;
}

/** One page of executions, newest first; `next_cursor` fetches the next page. */
export interface PageJson {
  readonly executions: readonly SummaryJson[];
  readonly next_cursor?: string;
}

/**
 * The JSON of an execution (its events included when `withEvents`).
 *
 * @example
 * executionJson(await helloWorld.run("World"));
 * // { execution_id: "…", name: "hello_world", input: "World", output: "Hello, World", state: "succeeded" }
 */
export function executionJson(ctx: WorkflowExecutionContext<unknown, unknown>, withEvents = false): ExecutionJson {
  const base = { execution_id: ctx.executionId, name: ctx.name, input: toWire(ctx.input), output: toWire(ctx.output), state: ctx.state };
  return withEvents ? { ...base, events: ctx.events.map(eventJson) } : base;
}

/** The JSON of one event. */
export function eventJson(event: ExecutionEvent): EventJson {
  return { id: event.id, type: event.type, source_id: event.sourceId, name: event.name, value: toWire(event.value), time: new Date(event.time).toISOString() };
}

/** The JSON of a store summary. */
export function summaryJson(summary: ExecutionSummary): SummaryJson {
  return {
    execution_id: summary.executionId,
    workflow: summary.workflow,
    state: summary.state,
    events: summary.events,
    created_at: new Date(summary.createdAt).toISOString(),
    updated_at: new Date(summary.updatedAt).toISOString(),
    ...(summary.parentId === undefined ? {} : { parent_id: summary.parentId }),
  };
}

/** The JSON of a page of summaries. */
export function pageJson(page: ExecutionPage): PageJson {
  const executions = page.executions.map(summaryJson);
  return page.nextCursor === undefined ? { executions } : { executions, next_cursor: page.nextCursor };
}
