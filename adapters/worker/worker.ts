/**
 * The Cloudflare Worker entry (wrangler.toml `main`): the HTTP API of `flux-ts/hono` on an
 * engine over D1 (`env.DB`), serving the workflows bundled in `./workflows.ts`.
 *
 * - `fetch`: the router. Runs hold the request until the execution finishes or pauses;
 *   `?wait=false` answers 202 at once and the run goes on under `waitUntil`.
 * - `scheduled` (the Cron Trigger in wrangler.toml): one pass of the dispatcher
 *   (`engine.wakeDue()`): executions whose durable sleep came due, parents whose subworkflow
 *   finished, and executions whose request died (their lease lapsed), found with one indexed
 *   query. A `ctx.sleep` longer than `FLUX_HOLD_SLEEPS_MS` (default 1 s) suspends the execution
 *   (state `paused`, with a wake time) instead of holding a request open.
 *
 * @example
 * // wrangler.toml: main = "adapters/worker/worker.ts", a D1 binding DB, [triggers] crons
 * // npm run worker:dev, then: curl localhost:8787/hello_world --data '"World"'
 */
import type { Hono } from "hono";
import { D1Store } from "../d1/index.js";
import { Engine } from "../../src/engine.js";
import { createRouter } from "../../src/http/router.js";
import type { SecretProvider } from "../../src/secrets.js";
import type { WaitUntil, WorkerEnv } from "./worker-env.js";
import { workflows } from "./workflows.js";

interface Served {
  readonly engine: Engine;
  readonly app: Hono;
}

// One engine per isolate and database: the D1 store checks its schema once, not per request.
const served = new WeakMap<object, Served>();

/** The engine and router for `env`, made on first use in this isolate. */
export function servedFor(env: WorkerEnv): Served {
  let entry = served.get(env.DB);
  if (entry === undefined) {
    const engine = new Engine({
      store: new D1Store(env.DB, { binding: "DB" }),
      secrets: workerSecrets(env),
      holdSleepsUpTo: numberVar(env.FLUX_HOLD_SLEEPS_MS, 1000),
      workflows,
    });
    const token = typeof env.FLUX_API_TOKEN === "string" && env.FLUX_API_TOKEN !== "" ? env.FLUX_API_TOKEN : undefined;
    const app = createRouter(engine, { bodyLimit: numberVar(env.FLUX_BODY_LIMIT, 1024 * 1024), ...(token === undefined ? {} : { token }) });
    entry = { engine, app };
    served.set(env.DB, entry);
  }
  return entry;
}

/** The Worker: `fetch` serves the HTTP API, `scheduled` wakes due sleeps. */
const worker = {
  fetch(request: Request, env: WorkerEnv, ctx: WaitUntil): Response | Promise<Response> {
    return servedFor(env).app.fetch(request, env, ctx as never);
  },
  scheduled(_controller: unknown, env: WorkerEnv, ctx: WaitUntil): void {
    const { engine } = servedFor(env);
    // Due sleeps, woken parents, and executions whose request died mid-run (lease lapsed).
    ctx.waitUntil(engine.wakeDue());
  },
};
export default worker;

function workerSecrets(env: WorkerEnv): SecretProvider {
  return {
    get: (name) => (typeof env[name] === "string" ? env[name] : undefined),
    hint: (name) => `add ${name} to the Worker: wrangler secret put ${name} (or a line ${name}=... in .dev.vars locally)`,
  };
}

function numberVar(value: unknown, fallback: number): number {
  const number = typeof value === "string" && value.trim() !== "" ? Number(value) : Number.NaN;
  return Number.isFinite(number) && number >= 0 ? number : fallback;
}
