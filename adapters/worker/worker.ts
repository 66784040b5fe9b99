/**
 * This repository's Cloudflare Worker (wrangler.toml `main`), serving the example workflows of
 * `./workflows.ts` on either host:
 *
 * - Durable Objects (`createDurableWorker` of `flux-ts/durable-object`) when the EXECUTIONS and
 *   DIRECTORY bindings exist (wrangler.toml has them): one object per execution, timers by alarm.
 * - D1 (`createWorker` of `flux-ts/worker`) otherwise: every execution in the one database
 *   `env.DB`, sleeps woken by the Cron Trigger.
 *
 * A Worker of one's own picks one host and is three lines (docs/worker.md). The examples import
 * "flux-ts" and this file imports the sources; wrangler.toml's `[alias]` maps "flux-ts" to the
 * same sources, so the bundle holds one copy of the engine and `npm run worker:dev` needs no build.
 *
 * @example
 * // npm run worker:dev, then: curl localhost:8787/hello_world --data '"World"'
 */
import { createDurableWorker, type DurableWorkerEnv } from "../durable-object/index.js";
import { createWorker, type WaitUntil, type WorkerEnv } from "./index.js";
import { workflows } from "./workflows.js";

const onD1 = createWorker({ workflows });
const inObjects = createDurableWorker({ workflows });

/** The execution objects' class (wrangler.toml: the EXECUTIONS binding). */
export const FluxExecution = inObjects.ExecutionObject;
/** The directory object's class (wrangler.toml: the DIRECTORY binding). */
export const FluxDirectory = inObjects.DirectoryObject;
/** The D1 host's engine and router for `env` (tests reach the engine through it). */
export const servedFor = onD1.servedFor;

type Env = WorkerEnv & Partial<DurableWorkerEnv>;
const hasObjects = (env: Env): env is Env & DurableWorkerEnv => env.EXECUTIONS !== undefined && env.DIRECTORY !== undefined;

export default {
  fetch: (request: Request, env: Env, ctx: WaitUntil) => (hasObjects(env) ? inObjects.fetch(request, env) : onD1.fetch(request, env, ctx)),
  // The D1 host's wakes; the objects wake themselves by alarm.
  scheduled: (controller: unknown, env: Env, ctx: WaitUntil) => (hasObjects(env) ? undefined : onD1.scheduled(controller, env, ctx)),
};
