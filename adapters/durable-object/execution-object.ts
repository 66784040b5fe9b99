import { R2BlobStore } from "../worker/r2-blob-store.js";
import { ExecutionNotFoundError } from "../../src/errors.js";
import { errorJson } from "../../src/http/error-status.js";
import type { Workflow } from "../../src/workflow.js";
import { numberVar, tokenVar, workerSecrets } from "../worker/worker-vars.js";
import type { DurableObjectStateLike } from "./durable-object-like.js";
import { DurableObjectStore } from "./durable-object-store.js";
import type { DurableWorkerEnv } from "./durable-worker-env.js";
import { ExecutionDirectory } from "./execution-directory.js";
import { Invocation, type InvocationReport } from "./invocation.js";

/** Options of {@link executionObjectClass}. */
export interface ExecutionObjectOptions {
  /** The workflows the objects run (bundled with the Worker). */
  readonly workflows: Iterable<Workflow<unknown, unknown>>;
  /** Called after each invocation of an object with what it did (queries, whether it yielded). */
  readonly onInvocation?: (report: InvocationReport) => void;
}

/** A Durable Object class as workerd instantiates it. */
export interface ExecutionObjectClass {
  new (ctx: DurableObjectStateLike, env: DurableWorkerEnv): { fetch(request: Request): Promise<Response>; alarm(): Promise<void> };
}

/** A lease lasts this long (the engine's default): a run whose object died is recovered by the alarm after it. */
const LEASE_TTL = 30_000;

/**
 * The Durable Object class that hosts executions, one object per execution (named by its id;
 * the subworkflows it runs live in it too), each keeping its log in the object's SQLite storage
 * ({@link DurableObjectStore}).
 *
 * - Requests are served by the HTTP API's router (`flux-ts/hono`) on an engine of the request's
 *   own invocation ({@link Invocation}); a run answers with its result when it ends or pauses
 *   within the invocation's budget, else 202 with its id and carries on from the alarm.
 * - Timers by alarm: after each invocation the object's alarm is set to the earliest wake time
 *   its store knows (`StateStore.due`: a durable sleep, a `waitForEvent` timeout, a run that
 *   yielded, a parent whose child ended, a lease that would lapse), and the alarm runs
 *   `engine.wakeDue()`, the dispatcher's one pass. While anything runs, an alarm stands at the
 *   lease's expiry, so a run whose object was evicted mid-step is recovered then.
 * - Each execution whose state changed is recorded in the directory object (the index of
 *   `GET /executions`).
 *
 * @example
 * const { ExecutionObject } = createDurableWorker({ workflows });
 * export { ExecutionObject as FluxExecution };
 */
export function executionObjectClass(options: ExecutionObjectOptions): ExecutionObjectClass {
  const workflows = [...options.workflows];
  return class FluxExecutionObject {
    readonly #ctx: DurableObjectStateLike;
    readonly #env: DurableWorkerEnv;
    readonly #reader: DurableObjectStore;
    readonly #directory: ExecutionDirectory;
    readonly #dirty = new Set<string>();
    #pushing: Promise<void> = Promise.resolve();
    #pushSoon: ReturnType<typeof setTimeout> | undefined;
    #hasData = false;

    constructor(ctx: DurableObjectStateLike, env: DurableWorkerEnv) {
      this.#ctx = ctx;
      this.#env = env;
      this.#reader = new DurableObjectStore(ctx.storage, { description: "the execution object's storage" });
      this.#directory = new ExecutionDirectory(env.DIRECTORY);
    }

    async fetch(request: Request): Promise<Response> {
      const path = new URL(request.url).pathname;
      const starts = request.method === "POST" && /^\/[^/]+$/.test(path);
      // An object that never started an execution answers 404 and writes nothing (no schema for a stray id).
      if (!starts && path !== "/workflows" && !this.#holdsData()) {
        const id = decodeURIComponent(path.split("/").filter(Boolean).slice(1, 2)[0] ?? "");
        return Response.json(errorJson(new ExecutionNotFoundError(`no execution ${id}: check the id (POST /{workflow} answers it as execution_id)`)), { status: 404 });
      }
      this.#hasData ||= starts;
      const invocation = this.#invocation();
      await this.#standBy();
      let response = await invocation.app.fetch(request, this.#env, { waitUntil: (p: Promise<unknown>) => invocation.keep(p), passThroughOnException() {}, props: {} } as never);
      if (invocation.yielded && response.status === 503) response = await this.#accepted(response);
      this.#ctx.waitUntil(this.#after(invocation, "fetch").catch((error: unknown) => console.error("flux: ending a request's invocation failed (the alarm retries):", error)));
      return response;
    }

    async alarm(): Promise<void> {
      if (!this.#holdsData()) return;
      const invocation = this.#invocation();
      await this.#standBy();
      await this.#after(invocation, "alarm");
    }

    #invocation(): Invocation {
      return new Invocation({
        storage: this.#ctx.storage,
        workflows,
        secrets: workerSecrets(this.#env),
        holdSleepsUpTo: numberVar(this.#env.FLUX_HOLD_SLEEPS_MS, 1000),
        ...(this.#env.BLOBS === undefined ? {} : { outputStorage: { blobs: new R2BlobStore(this.#env.BLOBS) } }),
        budget: { queries: numberVar(this.#env.FLUX_INVOCATION_QUERIES, 500), ms: numberVar(this.#env.FLUX_INVOCATION_MS, 10_000), grace: 10_000 },
        router: { bodyLimit: numberVar(this.#env.FLUX_BODY_LIMIT, 1024 * 1024), ...(tokenVar(this.#env.FLUX_API_TOKEN) === undefined ? {} : { token: tokenVar(this.#env.FLUX_API_TOKEN)! }) },
        changed: (id) => this.#changed(id),
      });
    }

    /**
     * The invocation's end: wake what is due, set the alarm to the next wake time, record state
     * changes in the directory. A failure rejects (an alarm handler that throws is retried by the
     * platform); the alarm set at the start (`#standBy`) stands meanwhile.
     */
    async #after(invocation: Invocation, kind: InvocationReport["kind"]): Promise<void> {
      const woken = await invocation.finish();
      if (this.#holdsData()) await this.#arm();
      await this.#push();
      options.onInvocation?.(invocation.report(kind, woken));
    }

    /** An alarm stands at a lease's expiry while an invocation runs: a run cut off by the object's eviction is recovered then. */
    async #standBy(): Promise<void> {
      const at = Date.now() + LEASE_TTL;
      const alarm = await this.#ctx.storage.getAlarm();
      if (alarm === null || alarm > at) await this.#ctx.storage.setAlarm(at);
    }

    /** Sets the alarm to the earliest wake time in the store (one indexed query), or removes it when nothing waits on time. */
    async #arm(): Promise<void> {
      const [next] = await this.#reader.due({ until: Number.MAX_SAFE_INTEGER, limit: 1 });
      if (next?.wakeAt === undefined) await this.#ctx.storage.deleteAlarm();
      else await this.#ctx.storage.setAlarm(Math.max(next.wakeAt, Date.now()));
    }

    /** A request whose run yielded (the router answers 503): 202 with the id; the run carries on from the alarm. */
    async #accepted(response: Response): Promise<Response> {
      const body = (await response.clone().json()) as { error?: { code?: string; execution_id?: string } };
      const id = body.error?.code === "SHUTTING_DOWN" ? body.error.execution_id : undefined;
      if (id === undefined) return response;
      const summary = await this.#reader.get(id);
      return Response.json(
        { execution_id: id, name: summary?.workflow ?? null, output: null, state: summary?.state ?? "running" },
        { status: 202, headers: { Location: `/inspect/${encodeURIComponent(id)}` } },
      );
    }

    #holdsData(): boolean {
      if (this.#hasData) return true;
      const rows = this.#ctx.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'flux_executions'").toArray();
      this.#hasData = rows.length > 0;
      return this.#hasData;
    }

    #changed(executionId: string): void {
      this.#dirty.add(executionId);
      // Soon after the commit that recorded the change (the commit queue writes at the next macrotask).
      this.#pushSoon ??= setTimeout(() => {
        this.#pushSoon = undefined;
        void this.#push();
      }, 1);
    }

    /** Records the summaries of executions whose state changed in the directory, one push at a time, in order. */
    #push(): Promise<void> {
      this.#pushing = this.#pushing.then(async () => {
        const ids = [...this.#dirty];
        this.#dirty.clear();
        if (ids.length === 0) return;
        try {
          const summaries = await Promise.all(ids.map((id) => this.#reader.get(id)));
          await this.#directory.record(summaries.flatMap((s) => (s === undefined ? [] : [s])));
        } catch (error) {
          for (const id of ids) this.#dirty.add(id); // retried at the next push
          console.error("flux: recording executions in the directory failed:", error);
        }
      });
      return this.#pushing;
    }
  };
}
