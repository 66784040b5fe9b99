import type { D1DatabaseLike } from "../d1/index.js";
import type { R2BucketLike } from "./r2-bucket-like.js";

/**
 * The bindings and variables the Worker reads (see wrangler.toml). A Worker's own `Env` with a
 * `DB: D1Database` fits it. Every other string var or secret of the env is offered to tasks as
 * a secret.
 */
export interface WorkerEnv {
  /** The D1 database that keeps executions. */
  readonly DB: D1DatabaseLike;
  /** When set (`wrangler secret put FLUX_API_TOKEN`, or `.dev.vars` locally), every request needs `Authorization: Bearer <token>`. */
  readonly FLUX_API_TOKEN?: string;
  /** Durable sleeps up to this many ms are held in the request; longer ones suspend until the Cron Trigger wakes them (default 1000). */
  readonly FLUX_HOLD_SLEEPS_MS?: string;
  /** The largest request body in bytes (default 1 MiB). */
  readonly FLUX_BODY_LIMIT?: string;
  /**
   * The dashboard's files, as a static assets binding (wrangler.toml `[assets]` with
   * `directory = "node_modules/flux-ts/dist/dashboard"`, `binding = "ASSETS"`,
   * `run_worker_first = true`): when bound, the Worker serves the dashboard at `/`.
   */
  readonly ASSETS?: { fetch(request: Request): Promise<Response> };
  /**
   * An R2 bucket (wrangler.toml `[[r2_buckets]]` with `binding = "BLOBS"`): when bound, values
   * whose JSON is over 256 KiB are kept there (`R2BlobStore`, objects under `flux-blobs/`) and the
   * D1 log holds references (see `EngineOptions.outputStorage`). Without it every value is kept
   * in D1, whose rows are limited to a few MB.
   */
  readonly BLOBS?: R2BucketLike;
}

/** The part of a Worker's execution context we use: keeping work alive after the response. */
export interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void;
}
