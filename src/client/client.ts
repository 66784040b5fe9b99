import { UsageError } from "../errors.js";
import { FluxHttpError } from "./client-error.js";
import type {
  CancelAnswer, CheckJson, EventJson, EventsPage, EventsQuery, ExecutionResult, ExecutionsPage, HealthJson, ListQuery, SentEvent, StartOptions, StreamOptions, WorkflowRef,
} from "./client-types.js";
import { readSse } from "./sse-reader.js";

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** Where the API is served, e.g. `http://127.0.0.1:8000` or `https://example.com/flux/`. */
  readonly baseUrl: string | URL;
  /** The server's bearer token (`FLUX_API_TOKEN`), when it has one. */
  readonly token?: string;
  /** The fetch to use (default: the global one); e.g. a Worker's service binding's `fetch`. */
  readonly fetch?: (input: Request) => Promise<Response>;
  /** Headers sent with every request. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * A client of the flux-ts HTTP API (`flux start`, a Worker of `flux-ts/worker`, any router of
 * `flux-ts/hono`). Typed by the workflow definitions when given them (`client.run(helloWorld,
 * "World")` takes a string and answers a string output); by name, input and output are
 * `unknown`. Every method rejects with {@link FluxHttpError} when the server answers an error.
 */
export interface FluxClient {
  /** Runs the workflow and answers once it finished or paused (`POST /{workflow}`). */
  run<I, O>(workflow: WorkflowRef<I, O>, input: I, options?: StartOptions): Promise<ExecutionResult<I, O>>;
  /** Starts the workflow and answers once the start is durable, in state `running` (`POST /{workflow}?wait=false`); with an `executionId` that exists, that execution as it stands. */
  start<I, O>(workflow: WorkflowRef<I, O>, input: I, options?: StartOptions): Promise<ExecutionResult<I, O>>;
  /** Resumes a paused execution: its pending pause returns `value` (`POST /{workflow}/{id}`). */
  resume<I, O>(workflow: WorkflowRef<I, O>, executionId: string, value?: unknown, options?: Omit<StartOptions, "executionId">): Promise<ExecutionResult<I, O>>;
  /** Sends the event `name` with `payload`; resolves once it is durable in the execution's inbox. */
  sendEvent(workflow: WorkflowRef<any, any>, executionId: string, name: string, payload?: unknown, options?: { signal?: AbortSignal }): Promise<SentEvent>;
  /** Cancels the execution (`cancelled: false` when it had ended). */
  cancel(workflow: WorkflowRef<any, any>, executionId: string, reason?: string, options?: { signal?: AbortSignal }): Promise<CancelAnswer>;
  /**
   * The execution as recorded, with a page of its events (`GET /inspect/{id}`: the first 1,000, or
   * `limit` from event `from`; `next` names the next page). Pass its workflow to type it.
   */
  inspect<I = unknown, O = unknown>(executionId: string, workflow?: WorkflowRef<I, O>, options?: { signal?: AbortSignal; from?: number; limit?: number }): Promise<ExecutionResult<I, O>>;
  /** A page of executions, newest first (`GET /executions`); its `next_cursor` fetches the next. */
  list(query?: ListQuery): Promise<ExecutionsPage>;
  /** A page of the execution's events after `after` (`GET /executions/{id}/events`). */
  events(executionId: string, query?: EventsQuery & { limit?: number }): Promise<EventsPage>;
  /**
   * The execution's events as they are recorded (`GET /executions/{id}/stream`): those already
   * recorded first, then each new one, until the execution ends (the iteration then finishes).
   * A dropped connection is reopened after the last event received (nothing twice, nothing lost).
   * Stop early with `break` or `signal`.
   */
  stream(executionId: string, options?: StreamOptions): AsyncIterable<EventJson>;
  /**
   * Replays the execution's history against the server's code, running nothing (what `flux check`
   * does for one execution): `compatible`, `divergent` with the first divergence, or `unchecked`
   * with why (`GET /executions/{id}/check`).
   */
  check(executionId: string, options?: { signal?: AbortSignal }): Promise<CheckJson>;
  /** The names of the server's workflows. */
  workflows(options?: { signal?: AbortSignal }): Promise<string[]>;
  /** `{ status: "ok" }` when the server answers and its store reads. */
  health(options?: { signal?: AbortSignal }): Promise<HealthJson>;
}

/**
 * A client of a flux-ts server: `fetch` only, so it runs in Node, browsers, Workers, Deno and Bun.
 *
 * @example
 * import { createClient } from "flux-ts/client";
 * import { helloWorld } from "./workflows/hello_world.js";
 * const flux = createClient({ baseUrl: "http://127.0.0.1:8000", token: process.env.FLUX_API_TOKEN });
 * const result = await flux.run(helloWorld, "World");
 * if (result.state === "succeeded") console.log(result.output); // "Hello, World" (a string)
 */
export function createClient(options: ClientOptions): FluxClient {
  const base = new URL(String(options.baseUrl));
  if (!base.pathname.endsWith("/")) base.pathname += "/";
  const doFetch = options.fetch ?? ((request: Request) => fetch(request));
  const headers = (extra: Record<string, string> = {}): Headers => {
    const all = new Headers({ Accept: "application/json", ...options.headers, ...extra });
    if (options.token !== undefined && options.token !== "") all.set("Authorization", `Bearer ${options.token}`);
    return all;
  };
  const url = (path: string, query: Record<string, string | number | boolean | undefined> = {}): URL => {
    const target = new URL(path, base);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) target.searchParams.set(key, String(value));
    return target;
  };
  const send = async <T>(method: string, target: URL, body?: unknown, signal?: AbortSignal, extra?: Record<string, string>): Promise<T> => {
    const init: RequestInit = { method, headers: headers(body === undefined ? extra : { "Content-Type": "application/json", ...extra }) };
    if (body !== undefined) init.body = JSON.stringify(body);
    if (signal !== undefined) init.signal = signal;
    const response = await doFetch(new Request(target, init));
    return answer<T>(response, method, target);
  };
  const name = (workflow: WorkflowRef<any, any>): string => {
    const value = typeof workflow === "string" ? workflow : workflow?.name;
    if (typeof value !== "string" || value === "") throw new UsageError("the client needs a workflow: its definition (workflow(...)) or its name");
    return encodeURIComponent(value);
  };
  const id = (executionId: string): string => {
    if (typeof executionId !== "string" || executionId === "") throw new UsageError("the client needs an execution id (the execution_id a run or start answered)");
    return encodeURIComponent(executionId);
  };
  const startLike = <I, O>(wait: boolean) => (workflow: WorkflowRef<I, O>, input: I, opts: StartOptions = {}) =>
    send<ExecutionResult<I, O>>("POST", url(name(workflow), { execution_id: opts.executionId, inspect: opts.inspect ? true : undefined, wait: wait ? undefined : false }), input, opts.signal);

  const client: FluxClient = {
    run: (workflow, input, opts) => startLike<any, any>(true)(workflow, input, opts),
    start: (workflow, input, opts) => startLike<any, any>(false)(workflow, input, opts),
    resume: (workflow, executionId, value, opts = {}) =>
      send("POST", url(`${name(workflow)}/${id(executionId)}`, { inspect: opts.inspect ? true : undefined }), value, opts.signal),
    sendEvent: (workflow, executionId, event, payload, opts = {}) => {
      if (typeof event !== "string" || event === "") throw new UsageError("sendEvent needs an event name");
      return send("POST", url(`${name(workflow)}/${id(executionId)}/events/${encodeURIComponent(event)}`), payload, opts.signal);
    },
    cancel: (workflow, executionId, reason, opts = {}) =>
      send("POST", url(`${name(workflow)}/${id(executionId)}/cancel`), reason === undefined ? {} : { reason }, opts.signal),
    inspect: (executionId, _workflow, opts = {}) => send("GET", url(`inspect/${id(executionId)}`, { from: opts.from, limit: opts.limit }), undefined, opts.signal),
    list: (query = {}) => send("GET", url("executions", {
      workflow: query.workflow === undefined ? undefined : decodeURIComponent(name(query.workflow)), state: query.state, limit: query.limit, cursor: query.cursor,
    }), undefined, query.signal),
    events: (executionId, query = {}) => send("GET", url(`executions/${id(executionId)}/events`, { after: query.after, limit: query.limit, encoding: query.encoding }), undefined, query.signal),
    stream: (executionId, opts = {}) => ({
      [Symbol.asyncIterator]: () => streamEvents(executionId, opts),
    }),
    check: (executionId, opts = {}) => send("GET", url(`executions/${id(executionId)}/check`), undefined, opts.signal),
    workflows: async (opts = {}) => (await send<{ workflows: string[] }>("GET", url("workflows"), undefined, opts.signal)).workflows,
    health: (opts = {}) => send("GET", url("health"), undefined, opts.signal),
  };

  async function* streamEvents(executionId: string, opts: StreamOptions): AsyncGenerator<EventJson> {
    let after = opts.after ?? -1;
    let failures = 0;
    const retries = opts.retries ?? 5;
    for (;;) {
      const target = url(`executions/${id(executionId)}/stream`, { encoding: opts.encoding });
      const init: RequestInit = { headers: headers({ Accept: "text/event-stream", "Last-Event-ID": String(after) }) };
      if (opts.signal !== undefined) init.signal = opts.signal;
      let response: Response;
      try {
        response = await doFetch(new Request(target, init));
      } catch (error) {
        if (opts.signal?.aborted === true || ++failures > retries) throw error;
        await pause(Math.min(250 * 2 ** failures, 5000), opts.signal);
        continue;
      }
      if (!response.ok || response.body === null) await answer(response, "GET", target);
      try {
        for await (const message of readSse(response.body!)) {
          if (message.event === "end") return;
          if (message.event !== "event") continue;
          const event = JSON.parse(message.data) as EventJson;
          after = event.id;
          failures = 0;
          yield event;
        }
      } catch (error) {
        if (opts.signal?.aborted === true || ++failures > retries) throw error;
      }
      // The stream closed without `end` (the server stopped, the connection dropped): reopen it.
      if (opts.signal?.aborted === true) return;
      await pause(Math.min(250 * 2 ** failures, 5000), opts.signal);
    }
  }

  return client;
}

/** The JSON of a successful answer, or a {@link FluxHttpError} built from the error's JSON. */
async function answer<T>(response: Response, method: string, target: URL): Promise<T> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (response.ok) {
    if (body === undefined && text !== "") throw new FluxHttpError(response.status, { message: `${method} ${target.pathname} answered something that is not JSON: is ${target.origin} a flux-ts server?` }, method, target.href);
    return body as T;
  }
  const error = (body as { error?: Record<string, string> } | undefined)?.error;
  throw new FluxHttpError(response.status, error ?? { message: `${method} ${target.pathname} answered HTTP ${response.status}${text === "" ? "" : `: ${text.slice(0, 200)}`}` }, method, target.href);
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}
