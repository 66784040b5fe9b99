/**
 * This repository's Cloudflare Worker (wrangler.toml `main`): `createWorker` of `flux-ts/worker`
 * serving the example workflows of `./workflows.ts` over D1 (`env.DB`). Its own Worker is the
 * same three lines with the user's workflows (docs/worker.md).
 *
 * The examples import "flux-ts" and this file imports the sources; wrangler.toml's `[alias]`
 * maps "flux-ts" to the same sources, so the bundle holds one copy of the engine (one
 * `Workflow` class) and `npm run worker:dev` needs no build.
 *
 * @example
 * // npm run worker:dev, then: curl localhost:8787/hello_world --data '"World"'
 */
import { createWorker } from "./index.js";
import { workflows } from "./workflows.js";

const worker = createWorker({ workflows });
/** The engine and router for `env` (tests reach the engine through it). */
export const servedFor = worker.servedFor;
export default worker;
