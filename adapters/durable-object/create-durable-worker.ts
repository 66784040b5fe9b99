import { Hono, type Context } from "hono";
import { hasBearerToken } from "../../src/http/auth.js";
import { errorJson, statusOf } from "../../src/http/error-status.js";
import { pageJson } from "../../src/http/execution-json.js";
import { listOptions } from "../../src/http/list-query.js";
import { RouteNotFoundError, UnauthorizedError } from "../../src/http/http-errors.js";
import { randomUUID } from "../../src/random-uuid.js";
import { validateExecutionId } from "../../src/workflow-registry.js";
import type { Workflow } from "../../src/workflow.js";
import { tokenVar } from "../worker/worker-vars.js";
import { FluxDirectoryObject } from "./directory-object.js";
import type { DurableWorkerEnv } from "./durable-worker-env.js";
import { ExecutionDirectory } from "./execution-directory.js";
import { executionObjectClass, type ExecutionObjectClass, type ExecutionObjectOptions } from "./execution-object.js";

/** Options of {@link createDurableWorker}. */
export interface DurableWorkerOptions extends ExecutionObjectOptions {}

/** The Worker's handler and its two Durable Object classes: export all three from the Worker's main module. */
export interface DurableWorker {
  /** The front: serves the HTTP API, each execution's requests in its object, listings from the directory. */
  fetch(request: Request, env: DurableWorkerEnv): Promise<Response>;
  /** The execution objects' class (wrangler.toml: class_name of the EXECUTIONS binding, in `new_sqlite_classes`). */
  readonly ExecutionObject: ExecutionObjectClass;
  /** The directory object's class (wrangler.toml: class_name of the DIRECTORY binding, in `new_sqlite_classes`). */
  readonly DirectoryObject: typeof FluxDirectoryObject;
}

/**
 * A Cloudflare Worker that runs each execution in its own Durable Object: the same HTTP API as
 * `createWorker` (D1) and `flux start`, with no database shared between executions.
 *
 * - `POST /{workflow}` picks the execution id (or takes `?execution_id=`) and sends the request
 *   to the object of that id, which runs it; `POST /{workflow}/{id}` (resume),
 *   `.../events/{name}`, `.../cancel` and `GET /inspect/{id}` go to the object holding `id` (a
 *   subworkflow's is its root's, found in the directory). A run answers with its result when it
 *   ends or pauses within its invocation's budget, else `202` with its id; it carries on from the
 *   object's alarm.
 * - `GET /executions` lists executions from the directory object (`?workflow=`, `?state=`,
 *   `?limit=`, `?cursor=`), newest first; `GET /executions/{id}/events` and `.../stream` are
 *   answered by the execution's object; `GET /workflows` lists the workflows.
 * - Durable sleeps, event timeouts and yielded runs wake by the object's alarm, at their time:
 *   no Cron Trigger is needed.
 * - `FLUX_API_TOKEN` guards every route, in front and in the objects.
 *
 * @example
 * // The Worker's main module; wrangler.toml binds EXECUTIONS and DIRECTORY (see docs/worker.md).
 * import { createDurableWorker } from "flux-ts/durable-object";
 * const worker = createDurableWorker({ workflows: [helloWorld] });
 * export const { ExecutionObject: FluxExecution, DirectoryObject: FluxDirectory } = worker;
 * export default worker;
 */
export function createDurableWorker(options: DurableWorkerOptions): DurableWorker {
  const names = [...options.workflows].map((workflow: Workflow<unknown, unknown>) => workflow.name);
  const app = new Hono<{ Bindings: DurableWorkerEnv }>();
  app.onError((error, c) => {
    const status = statusOf(error);
    if (status === 500) console.error(`flux: ${c.req.method} ${c.req.path} failed:`, error);
    return c.json(errorJson(error, status), status, status === 401 ? { "WWW-Authenticate": 'Bearer realm="flux"' } : {});
  });
  app.notFound((c) => c.json(errorJson(new RouteNotFoundError(
    `no route ${c.req.method} ${c.req.path}: the API serves POST /{workflow}, POST /{workflow}/{execution_id}, POST /{workflow}/{execution_id}/events/{name}, POST /{workflow}/{execution_id}/cancel, GET /inspect/{execution_id}, GET /executions, GET /executions/{execution_id}/events, GET /executions/{execution_id}/stream and GET /workflows`,
  )), 404));
  app.use("*", async (c, next) => {
    if (c.env.EXECUTIONS === undefined || c.env.DIRECTORY === undefined) {
      throw new Error("this Worker runs executions in Durable Objects: bind EXECUTIONS (class FluxExecution) and DIRECTORY (class FluxDirectory) in wrangler.toml, with a new_sqlite_classes migration (see docs/worker.md)");
    }
    const token = tokenVar(c.env.FLUX_API_TOKEN);
    if (token !== undefined && !hasBearerToken(c.req.header("authorization"), token)) {
      throw new UnauthorizedError("this server requires a bearer token: send the header 'Authorization: Bearer <token>' with the token it was configured with");
    }
    await next();
  });

  app.get("/workflows", (c) => c.json({ workflows: names }));
  app.get("/executions", async (c) => c.json(pageJson(await new ExecutionDirectory(c.env.DIRECTORY).list(listOptions((name) => c.req.query(name))))));
  app.get("/executions/:id/events", (c) => toObjectOf(c, c.req.param("id")));
  app.get("/executions/:id/stream", (c) => toObjectOf(c, c.req.param("id")));
  app.get("/inspect/:id", (c) => toObjectOf(c, c.req.param("id")));
  app.post("/:workflow", (c) => {
    const url = new URL(c.req.url);
    const id = url.searchParams.get("execution_id") ?? randomUUID();
    validateExecutionId(id);
    url.searchParams.set("execution_id", id);
    return toObject(c, id, url);
  });
  app.post("/:workflow/:id", (c) => toObjectOf(c, c.req.param("id")));
  app.post("/:workflow/:id/events/:name", (c) => toObjectOf(c, c.req.param("id")));
  app.post("/:workflow/:id/cancel", (c) => toObjectOf(c, c.req.param("id")));

  return {
    fetch: async (request, env) => app.fetch(request, env),
    ExecutionObject: executionObjectClass(options),
    DirectoryObject: FluxDirectoryObject,
  };
}

type FrontContext = Context<{ Bindings: DurableWorkerEnv }>;

/** Sends the request to the object holding `executionId`: its root's (from the directory), or its own. */
async function toObjectOf(c: FrontContext, executionId: string): Promise<Response> {
  validateExecutionId(executionId);
  const root = await new ExecutionDirectory(c.env.DIRECTORY).locate(executionId);
  return toObject(c, root ?? executionId, new URL(c.req.url));
}

function toObject(c: FrontContext, objectName: string, url: URL): Promise<Response> {
  const namespace = c.env.EXECUTIONS;
  return namespace.get(namespace.idFromName(objectName) as never).fetch(new Request(url, c.req.raw));
}
