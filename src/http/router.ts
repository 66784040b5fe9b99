import { Hono, type Context } from "hono";
import type { Engine } from "../engine.js";
import { ExecutionNotFoundError, UsageError } from "../errors.js";
import { validateExecutionId } from "../workflow-registry.js";
import type { Workflow } from "../workflow.js";
import { hasBearerToken } from "./auth.js";
import { errorJson, statusOf } from "./error-status.js";
import { executionJson } from "./execution-json.js";
import { toWire } from "./wire.js";
import { INSPECT_PAGE_DEFAULT, inspectPage, type InspectPageOptions } from "../inspection.js";
import { inspectJson, inspectJsonStream } from "./inspect-json.js";
import { inspectOptions } from "./list-query.js";
import { MalformedRequestError, RouteNotFoundError, UnauthorizedError } from "./http-errors.js";
import { limitBody, readJson } from "./request-body.js";
import { randomUUID } from "../random-uuid.js";
import type { DashboardAssets } from "./dashboard-assets.js";
import { addObserveRoutes, addPublicRoutes } from "./observe-routes.js";

/** The default largest request body, in bytes (1 MiB). */
export const defaultBodyLimit = 1024 * 1024;

/** Options of {@link createRouter}. */
export interface RouterOptions {
  /** When set, every route requires `Authorization: Bearer <token>`; without it, or with another token, 401. */
  readonly token?: string;
  /** The largest request body accepted, in bytes (default 1 MiB); a larger one gets 413. */
  readonly bodyLimit?: number;
  /** Called when an execution started with `?wait=false` could not run (a store failure, a conflict). Default: `console.error`. */
  readonly onBackgroundError?: (error: unknown, executionId: string) => void;
  /** The dashboard's files: served at `/` and `/assets/*` (the page needs no token; the data it shows does). */
  readonly dashboard?: DashboardAssets;
  /** When aborted, live streams (`GET /executions/{id}/stream`) end: give it when the server stops. */
  readonly signal?: AbortSignal;
  /** How often a live stream reads the store when nothing told it of a new event (ms, default 500). */
  readonly streamPollMs?: number;
}


/**
 * The HTTP API of the seeds, as a Hono app to mount anywhere (Node through `flux start`, a
 * Cloudflare Worker, Deno, Bun, tests with `app.request()`). It serves the workflows
 * registered on `engine`:
 *
 * - `POST /{workflow}` runs it with the JSON body as input and answers the execution
 *   (`execution_id`, `name`, `input`, `output`, `state`; `?inspect=true` adds `events`) once it
 *   finishes or pauses. `?wait=false` answers `202` as soon as the start is durable, with a
 *   `Location` to inspect it.
 * - `POST /{workflow}/{execution_id}` resumes a paused execution: its first pending pause (or
 *   that of the paused subworkflow it waits on) returns the JSON body. A resume of an execution
 *   another run holds (on this engine or another runner of the store) is refused with `409`,
 *   and so is one that finds no pause to answer.
 * - `POST /{workflow}/{execution_id}/events/{name}` sends the event `name` (the JSON body is its
 *   payload) to the execution: `202` once it is durable in the execution's inbox, with its `seq`;
 *   the execution's next `ctx.waitForEvent(name)` takes it. `409` when the execution ended.
 * - `POST /{workflow}/{execution_id}/cancel` cancels the execution (the body: a reason, as a
 *   string or `{ "reason": ... }`): `{ execution_id, state, cancelled }`.
 * - `POST /{workflow}?execution_id=ID` starts with that id, the idempotency key: when an execution
 *   of that id exists, it is answered as it stands (with `?wait=false` too), never started twice.
 * - `GET /inspect/{execution_id}` answers the execution as recorded, with its events.
 * - `GET /workflows` lists the registered workflows' names.
 * - `GET /executions` lists executions, newest first (`?workflow=`, `?state=`, `?limit=`,
 *   `?cursor=` the previous page's `next_cursor`); `GET /executions/{id}/events` answers a page
 *   of its events (`?after=ID`); `GET /executions/{id}/stream` streams them live (Server-Sent
 *   Events, resumable with `Last-Event-ID`) and ends once the execution ended.
 * - `GET /health` and `GET /openapi.json` (the OpenAPI document of these routes) need no token;
 *   with `dashboard`, neither do the dashboard's page (`GET /`) and files (`GET /assets/*`).
 *
 * Work a POST sets off that goes on after its response (the run of a `?wait=false` start, the
 * run an event or a resume wakes, a parent its child's end wakes, a queue's admission) is handed
 * to the runtime's `waitUntil` when the request has an execution context (a Cloudflare Worker):
 * `engine.settled()`, so the Worker does not stop it once it answered. Elsewhere (Node) the
 * process runs it anyway.
 *
 * Errors are JSON `{ "error": { name, code, message } }`: malformed JSON or a bad parameter
 * 400, missing token 401, unknown workflow, execution or route 404, concurrent run or nothing
 * to resume 409, body over the limit 413, server stopping 503 (with `execution_id` when a run
 * was interrupted, and `Retry-After`). A 500 sends only an error id; the details are logged
 * under it. A failed execution is not an HTTP error: it is answered with `200` and
 * `"state": "failed"`, its error in `output`.
 *
 * @example
 * const engine = new Engine({ workflows: [helloWorld] });
 * const app = createRouter(engine, { token: env.FLUX_API_TOKEN });
 * const res = await app.request("/hello_world", { method: "POST", body: '"World"' });
 */
export function createRouter(engine: Engine, options: RouterOptions = {}): Hono {
  const app = new Hono();
  const onBackgroundError = options.onBackgroundError ?? ((error: unknown, id: string) => {
    console.error(`flux: execution ${id} (started with ?wait=false) stopped:`, error);
  });

  app.onError((error, c) => {
    const status = statusOf(error);
    let logId: string | undefined;
    if (status === 500) {
      logId = randomUUID().slice(0, 8);
      console.error(`flux: error ${logId}: ${c.req.method} ${c.req.path} failed:`, error);
    }
    const headers: Record<string, string> = status === 401 ? { "WWW-Authenticate": 'Bearer realm="flux"' } : status === 503 ? { "Retry-After": "1" } : {};
    return c.json(errorJson(error, status, logId), status, headers);
  });
  app.notFound((c) => c.json(errorJson(new RouteNotFoundError(
    `no route ${c.req.method} ${c.req.path}: the API serves POST /{workflow}, POST /{workflow}/{execution_id}, POST /{workflow}/{execution_id}/events/{name}, POST /{workflow}/{execution_id}/cancel, GET /inspect/{execution_id}, GET /workflows, GET /executions, GET /executions/{execution_id}/events, GET /executions/{execution_id}/stream, GET /health and GET /openapi.json`,
  )), 404));

  // What a POST sets off after its response (the run a `?wait=false` start or an event wakes, a
  // parent its child's end wakes, a queue's admission) goes on under the runtime's `waitUntil`.
  app.use("*", async (c, next) => {
    await next();
    if (c.req.method === "POST") executionContextOf(c)?.waitUntil(engine.settled());
  });

  const observe = {
    ...(options.dashboard === undefined ? {} : { dashboard: options.dashboard }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.streamPollMs === undefined ? {} : { streamPollMs: options.streamPollMs }),
  };
  addPublicRoutes(app, engine, observe);
  const token = options.token;
  if (token !== undefined && token !== "") {
    app.use("*", async (c, next) => {
      if (!hasBearerToken(c.req.header("authorization"), token)) {
        throw new UnauthorizedError("this server requires a bearer token: send the header 'Authorization: Bearer <token>' with the token it was configured with");
      }
      await next();
    });
  }
  const limit = options.bodyLimit ?? defaultBodyLimit;
  app.post("*", limitBody(limit));

  app.get("/workflows", (c) => c.json({ workflows: engine.workflows.map((workflow) => workflow.name) }));
  addObserveRoutes(app, engine, observe);

  app.get("/inspect/:id", async (c) => {
    const id = c.req.param("id");
    return inspection(c, id, c.req.path.replace(/\/inspect\/[^/]*$/, ""), inspectOptions((name) => c.req.query(name)));
  });

  app.post("/:workflow", async (c) => {
    const workflow = engine.workflow(c.req.param("workflow"));
    const withEvents = flag(c, "inspect", false);
    const wait = flag(c, "wait", true);
    const id = c.req.query("execution_id");
    const input = await readJson(c);
    if (id !== undefined) {
      // The idempotency key: an execution of that id is answered as it stands, never started twice.
      validateExecutionId(id);
      const existing = await engine.inspect(id);
      if (existing !== undefined) {
        if (existing.name !== workflow.name) throw new UsageError(`execution ${id} is an execution of workflow "${existing.name}", not "${workflow.name}": pick another execution_id`);
        return withEvents ? inspection(c, id, parentPath(c.req.path)) : c.json(executionJson(existing));
      }
    }
    if (wait) {
      const ctx = await engine.run(workflow, input, id === undefined ? {} : { executionId: id });
      return withEvents ? inspection(c, ctx.executionId, parentPath(c.req.path)) : c.json(executionJson(ctx));
    }
    return startInBackground(c, workflow, input, id);
  });

  app.post("/:workflow/:id/events/:name", async (c) => {
    const { id } = await executionOf(c);
    const event = await engine.sendEvent(id, c.req.param("name") ?? "", await readJson(c));
    return c.json({ execution_id: id, name: event.name, seq: event.seq, time: new Date(event.time).toISOString() }, 202);
  });

  app.post("/:workflow/:id/cancel", async (c) => {
    const { id } = await executionOf(c);
    const body = await readJson(c);
    const reason = typeof body === "string" ? body : typeof (body as { reason?: unknown } | undefined)?.reason === "string" ? (body as { reason: string }).reason : undefined;
    const result = await engine.cancel(id, reason);
    return c.json({ execution_id: result.executionId, state: result.state, cancelled: result.cancelled });
  });

  app.post("/:workflow/:id", async (c) => {
    const workflow = engine.workflow(c.req.param("workflow"));
    const id = c.req.param("id");
    const withEvents = flag(c, "inspect", false);
    const value = await readJson(c);
    const summary = await engine.store.get(id);
    if (summary === undefined) throw new ExecutionNotFoundError(`no execution ${id}: check the id (POST /${workflow.name} answers it as execution_id)`);
    if (summary.workflow !== workflow.name) {
      throw new ExecutionNotFoundError(`execution ${id} is an execution of workflow "${summary.workflow}", not "${workflow.name}": resume it with POST /${summary.workflow}/${id}`);
    }
    const ctx = await engine.resume(workflow, id, value);
    return withEvents ? inspection(c, id, parentPath(parentPath(c.req.path))) : c.json(executionJson(ctx));
  });

  /**
   * The answer with events: one page of the execution's history read from the store (the first
   * {@link INSPECT_PAGE_DEFAULT} events unless asked otherwise), streamed, with `next` when more
   * follow. `base` is where the router is mounted, for the `next` address.
   */
  async function inspection(c: Context, id: string, base: string, options: InspectPageOptions = {}): Promise<Response> {
    const page = await inspectPage(engine.store, id, options, engine.outputStorage?.blobs);
    if (page === undefined) throw new ExecutionNotFoundError(`no execution ${id}: check the id (POST /{workflow} answers it as execution_id)`);
    const limit = options.limit ?? INSPECT_PAGE_DEFAULT;
    const json = inspectJson(page, (from) => `${base}/inspect/${encodeURIComponent(id)}?from=${from}&limit=${limit}`);
    return c.body(inspectJsonStream(json), 200, { "Content-Type": "application/json; charset=UTF-8" });
  }

  /** The execution of the route's `:id`, checked to be one of the route's `:workflow`. */
  async function executionOf(c: Context): Promise<{ id: string }> {
    const workflow = engine.workflow(c.req.param("workflow") ?? "");
    const id = c.req.param("id") ?? "";
    validateExecutionId(id);
    const summary = await engine.store.get(id);
    if (summary === undefined) throw new ExecutionNotFoundError(`no execution ${id}: check the id (POST /${workflow.name} answers it as execution_id)`);
    if (summary.workflow !== workflow.name) {
      throw new ExecutionNotFoundError(`execution ${id} is an execution of workflow "${summary.workflow}", not "${workflow.name}": use /${summary.workflow}/${id}`);
    }
    return { id };
  }

  async function startInBackground(c: Context, workflow: Workflow<unknown, unknown>, input: unknown, given?: string): Promise<Response> {
    const id = given ?? randomUUID();
    const started = await engine.start(workflow, input, { executionId: id });
    // A queued start runs when its queue admits it, on whichever runner: nothing to keep alive here.
    // Reported here; kept alive (a queued start's admission and run too) by engine.settled() after the response.
    if (started.queued !== true) void started.result.then(() => undefined, (error: unknown) => onBackgroundError(error, id));
    const body = { execution_id: id, name: workflow.name, input: toWire(input), output: null, state: started.queued === true ? "queued" : "running" };
    // Relative to where the router is mounted: /flux/hello_world -> /flux/inspect/{id}.
    return c.json(body, 202, { Location: `${parentPath(c.req.path)}/inspect/${id}` });
  }

  return app;
}

/** `path` without its last segment: `/flux/hello_world` -> `/flux`. */
function parentPath(path: string): string {
  return path.replace(/\/[^/]*$/, "");
}

/** The runtime's execution context (a Worker's, with `waitUntil`), or `undefined` where there is none (Node, `app.request()`: the process runs on anyway). */
function executionContextOf(c: Context): { waitUntil(promise: Promise<unknown>): void } | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}

/** A boolean query parameter: `true`/`1`/empty or `false`/`0`; anything else is a 400. */
function flag(c: Context, name: string, fallback: boolean): boolean {
  const value = c.req.query(name);
  if (value === undefined) return fallback;
  if (value === "" || value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  throw new MalformedRequestError(`the query parameter ${name}=${value} is not a boolean: use ${name}=true or ${name}=false`);
}
