import type { Hono } from "hono";
import { D1Store } from "../d1/index.js";
import { Engine } from "../../src/engine.js";
import { createRouter } from "../../src/http/router.js";
import type { DashboardAssets } from "../../src/http/dashboard-assets.js";
import type { ScheduleDefinition } from "../../src/schedule-definition.js";
import type { Workflow } from "../../src/workflow.js";
import type { WaitUntil, WorkerEnv } from "./worker-env.js";
import { numberVar, tokenVar, workerSecrets } from "./worker-vars.js";
import { R2BlobStore } from "./r2-blob-store.js";

/** Options of {@link createWorker}. */
export interface WorkerOptions {
  /** The workflows the Worker serves (bundled with it: a Worker cannot load files at run time). */
  readonly workflows: Iterable<Workflow<unknown, unknown>>;
  /** Schedules (`schedule()` of flux-ts/schedules) its Cron Trigger fires (each firing once, whatever the isolates). */
  readonly schedules?: Iterable<ScheduleDefinition>;
  /** The name of the D1 binding in wrangler.toml, for error messages (default "DB"; the binding read is always `env.DB`). */
  readonly binding?: string;
}

/** An isolate's engine and router for one D1 database. */
export interface ServedWorker {
  readonly engine: Engine;
  readonly app: Hono;
}

/** The Worker's handlers: give them to `export default` of the Worker's main module. */
export interface FluxWorker {
  /** Serves the HTTP API of `flux-ts/hono`; what a request sets off (a woken run, a queue's admission) goes on under `ctx.waitUntil`. */
  fetch(request: Request, env: WorkerEnv, ctx: WaitUntil): Response | Promise<Response>;
  /** The Cron Trigger: one dispatcher pass (due sleeps, queues, executions whose request died or whose `waitUntil` was cut off). */
  scheduled(controller: unknown, env: WorkerEnv, ctx: WaitUntil): void;
  /** The engine and router for `env`, made on first use in this isolate (for tests and custom routes). */
  servedFor(env: WorkerEnv): ServedWorker;
}

/**
 * A Cloudflare Worker serving `options.workflows` over HTTP (the API of `flux-ts/hono`) on an
 * engine over D1 (`env.DB`): one engine per isolate and database, so the D1 store checks its
 * schema once, not per request.
 *
 * - `fetch`: runs hold the request until the execution finishes or pauses; `?wait=false`
 *   answers 202 at once. What a request sets off goes on after its response under `waitUntil`
 *   (the router hands it `engine.settled()`): that run, the run an event or a resume wakes, a
 *   parent its child's end wakes, a queue's admission and the runs it admits.
 * - `scheduled` (a Cron Trigger): one pass of the dispatcher (`engine.wakeDue()`): executions
 *   whose durable sleep came due, and executions whose request died (their lease lapsed), and
 *   what a request's `waitUntil` did not finish, found with one indexed query. A `ctx.sleep` longer
 *   than `FLUX_HOLD_SLEEPS_MS` (default 1 s) suspends the execution instead of holding a request.
 * - `FLUX_API_TOKEN` (a secret) makes every request need `Authorization: Bearer <token>`;
 *   `FLUX_BODY_LIMIT` caps request bodies (default 1 MiB); every other string var or secret is
 *   offered to tasks as a secret.
 * - With a static assets binding `ASSETS` holding flux-ts's `dist/dashboard/`, the dashboard at `/`.
 * - With an R2 bucket bound as `BLOBS`, values over 256 KiB are kept in it, not in D1.
 *
 * @example
 * // src/index.ts, with wrangler.toml's main pointing at it and a D1 binding named DB:
 * import { createWorker } from "flux-ts/worker";
 * import { helloWorld } from "./hello_world.js";
 * export default createWorker({ workflows: [helloWorld] });
 */
export function createWorker(options: WorkerOptions): FluxWorker {
  const served = new WeakMap<object, ServedWorker>();
  const servedFor = (env: WorkerEnv): ServedWorker => {
    let entry = served.get(env.DB);
    if (entry === undefined) {
      const engine = new Engine({
        store: new D1Store(env.DB, { binding: options.binding ?? "DB" }),
        secrets: workerSecrets(env),
        holdSleepsUpTo: numberVar(env.FLUX_HOLD_SLEEPS_MS, 1000),
        workflows: options.workflows,
        ...(options.schedules === undefined ? {} : { schedules: options.schedules }),
        ...(env.BLOBS === undefined ? {} : { outputStorage: { blobs: new R2BlobStore(env.BLOBS) } }),
      });
      const token = tokenVar(env.FLUX_API_TOKEN);
      const dashboard = env.ASSETS === undefined ? undefined : assetsDashboard(env.ASSETS);
      const app = createRouter(engine, {
        bodyLimit: numberVar(env.FLUX_BODY_LIMIT, 1024 * 1024), ...(token === undefined ? {} : { token }), ...(dashboard === undefined ? {} : { dashboard }),
      });
      entry = { engine, app };
      served.set(env.DB, entry);
    }
    return entry;
  };
  return {
    fetch: (request, env, ctx) => servedFor(env).app.fetch(request, env, ctx as never),
    scheduled: (_controller, env, ctx) => {
      const { engine } = servedFor(env);
      // Due sleeps, and executions whose request died mid-run (no progress for a lease TTL).
      ctx.waitUntil(engine.wakeDue());
    },
    servedFor,
  };
}

/** The dashboard's files from a static assets binding (`index.html` is asked for as `/`, which the assets server answers with it). */
function assetsDashboard(assets: NonNullable<WorkerEnv["ASSETS"]>): DashboardAssets {
  return {
    async get(path) {
      const response = await assets.fetch(new Request(`https://assets.invalid/${path === "index.html" ? "" : path}`));
      return response.ok ? response : undefined;
    },
  };
}
