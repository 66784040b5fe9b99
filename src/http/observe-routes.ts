import type { Hono } from "hono";
import type { Engine } from "../engine.js";
import { ExecutionNotFoundError } from "../errors.js";
import { checkExecution } from "../history-check.js";
import { validateExecutionId } from "../workflow-registry.js";
import type { DashboardAssets } from "./dashboard-assets.js";
import { eventStream, storedEventJson, type ValueEncoding } from "./event-stream.js";
import { pageJson } from "./execution-json.js";
import { MalformedRequestError, RouteNotFoundError } from "./http-errors.js";
import { afterEventId, listOptions } from "./list-query.js";
import { openApiDocument } from "./openapi.js";

/** What {@link addPublicRoutes} and {@link addObserveRoutes} need besides the engine. */
export interface ObserveOptions {
  readonly dashboard?: DashboardAssets;
  /** When aborted, live streams end (a server stopping). */
  readonly signal?: AbortSignal;
  /** How often a live stream reads the store when nothing told it of a new event (ms, default 500). */
  readonly streamPollMs?: number;
}

/**
 * The routes that need no token: `GET /health`, `GET /openapi.json`, and the dashboard's page
 * and files (which hold no data). Added before the token check.
 */
export function addPublicRoutes(app: Hono, engine: Engine, options: ObserveOptions): void {
  app.get("/health", async (c) => {
    await engine.store.list({ limit: 1 }); // the store answers
    return c.json({ status: "ok", workflows: engine.workflows.length });
  });
  const openapi = openApiDocument({ dashboard: options.dashboard !== undefined });
  app.get("/openapi.json", (c) => c.json(openapi));
  const dashboard = options.dashboard;
  if (dashboard === undefined) return;
  const serve = async (path: string) => {
    const response = await dashboard.get(path);
    if (response === undefined) throw new RouteNotFoundError(`the dashboard has no file ${path}: reload the page (the server may run a newer build)`);
    return response;
  };
  app.get("/", () => serve("index.html"));
  app.get("/assets/:file", (c) => serve(`assets/${c.req.param("file")}`));
}

/**
 * The routes that watch executions: `GET /executions` (newest first, filtered and paged),
 * `GET /executions/{id}/events` (a page of its events), `GET /executions/{id}/stream` (its
 * events live, as Server-Sent Events, resumable with `Last-Event-ID`) and
 * `GET /executions/{id}/check` (its history replayed against the server's code, as `flux check`
 * does, running nothing).
 */
export function addObserveRoutes(app: Hono, engine: Engine, options: ObserveOptions): void {
  app.get("/executions", async (c) => c.json(pageJson(await engine.list(listOptions((name) => c.req.query(name))))));

  app.get("/executions/:id/events", async (c) => {
    const id = await existing(c.req.param("id"));
    const after = afterEventId(undefined, c.req.query("after"));
    const limitText = c.req.query("limit");
    const limit = limitText === undefined ? 1000 : Number(limitText);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) throw new MalformedRequestError(`limit=${limitText} is not a page size: give a whole number from 1 to 1000`);
    const encoding = encodingOf(c.req.query("encoding"));
    const summary = (await engine.store.get(id))!;
    const events = await engine.store.load(id, { from: after + 1, limit });
    const last = events.at(-1)?.id ?? after;
    return c.json({
      execution_id: id, state: summary.state, events: events.map((event) => storedEventJson(event, encoding)),
      ...(last + 1 < summary.events ? { next_after: last } : {}),
    });
  });

  app.get("/executions/:id/stream", async (c) => {
    const id = c.req.param("id");
    validateExecutionId(id);
    const after = afterEventId(c.req.header("last-event-id"), c.req.query("after"));
    const body = await eventStream(engine, id, {
      after, encoding: encodingOf(c.req.query("encoding")),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.streamPollMs === undefined ? {} : { pollMs: options.streamPollMs }),
    });
    return new Response(body, { headers: { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache", "X-Accel-Buffering": "no" } });
  });

  app.get("/executions/:id/check", async (c) => {
    const id = await existing(c.req.param("id"));
    const summary = (await engine.store.get(id))!;
    if (!engine.workflows.some((w) => w.name === summary.workflow)) {
      const reason = `this server has no workflow "${summary.workflow}" (it serves: ${engine.workflows.map((w) => w.name).join(", ") || "none"}): nothing to check it against`;
      return c.json({ execution_id: id, workflow: summary.workflow, state: summary.state, result: "unchecked", reason, steps: 0 });
    }
    const check = await checkExecution(engine.store, engine.workflow(summary.workflow), id);
    if (check === undefined) throw new ExecutionNotFoundError(`no execution ${id}: it was deleted while being checked`);
    return c.json(check);
  });

  async function existing(id: string): Promise<string> {
    validateExecutionId(id);
    if ((await engine.store.get(id)) === undefined) throw new ExecutionNotFoundError(`no execution ${id}: check the id (GET /executions lists them)`);
    return id;
  }
}

function encodingOf(value: string | undefined): ValueEncoding {
  if (value === undefined || value === "" || value === "wire") return "wire";
  if (value === "flux") return "flux";
  throw new MalformedRequestError(`encoding=${value} is not an encoding: use wire (as the API answers values) or flux (as recorded)`);
}
