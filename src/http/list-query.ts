import type { ExecutionState } from "../events.js";
import type { ListOptions } from "../state-store.js";
import { MalformedRequestError } from "./http-errors.js";

/** Every state an execution can be in, in the order a run goes through them. */
export const executionStates: readonly ExecutionState[] = ["created", "queued", "running", "paused", "succeeded", "failed", "cancelled"];

/**
 * The {@link ListOptions} of `GET /executions?workflow=&state=&limit=&cursor=`. Throws
 * `MalformedRequestError` (400) naming a bad `state` or `limit`.
 */
export function listOptions(query: (name: string) => string | undefined): ListOptions {
  const workflow = query("workflow");
  const state = query("state");
  const limit = query("limit");
  const cursor = query("cursor");
  if (state !== undefined && !executionStates.includes(state as ExecutionState)) {
    throw new MalformedRequestError(`state=${state} is not a state: use one of ${executionStates.join(", ")}`);
  }
  const count = limit === undefined ? undefined : Number(limit);
  if (count !== undefined && (!Number.isSafeInteger(count) || count < 1 || count > 1000)) {
    throw new MalformedRequestError(`limit=${limit} is not a page size: give a whole number from 1 to 1000`);
  }
  return {
    ...(workflow === undefined || workflow === "" ? {} : { workflow }),
    ...(state === undefined ? {} : { state: state as ExecutionState }),
    ...(count === undefined ? {} : { limit: count }),
    ...(cursor === undefined || cursor === "" ? {} : { cursor }),
  };
}

/**
 * The event id after which to send events: the `Last-Event-ID` header of a reconnecting
 * EventSource, else the `after` query parameter, else -1 (from the first). Throws
 * `MalformedRequestError` (400) for a value that is not a whole number ≥ -1.
 */
export function afterEventId(header: string | undefined, query: string | undefined): number {
  const text = header ?? query;
  if (text === undefined || text === "") return -1;
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id < -1) throw new MalformedRequestError(`${header === undefined ? "after" : "Last-Event-ID"}=${text} is not an event id: give the id of the last event received (a whole number), or -1 for all`);
  return id;
}

/**
 * `from` and `limit` of `GET /inspect/{id}` (a page of an execution's events), as whole numbers;
 * a value that is not one is a 400 naming it. Their ranges are checked by `inspectPage`.
 */
export function inspectOptions(query: (name: string) => string | undefined): { from?: number; limit?: number } {
  const whole = (name: string): number | undefined => {
    const text = query(name);
    if (text === undefined || text === "") return undefined;
    const value = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
      throw new MalformedRequestError(`${name}=${text} is not a whole number: give ${name === "from" ? "the id of the first event to return (0 for the start)" : "how many events to return, from 1"}`);
    }
    return value;
  };
  const from = whole("from");
  const limit = whole("limit");
  return { ...(from === undefined ? {} : { from }), ...(limit === undefined ? {} : { limit }) };
}
