import type { OutputStorage } from "../../src/blobs/value-storage.js";
import type { Hono } from "hono";
import { Engine } from "../../src/engine.js";
import { createRouter } from "../../src/http/router.js";
import type { SecretProvider } from "../../src/secrets.js";
import type { Workflow } from "../../src/workflow.js";
import type { DurableObjectStorageLike } from "./durable-object-like.js";
import { DurableObjectStore } from "./durable-object-store.js";

/** How much one invocation of an execution object may do before it yields (see {@link Invocation}). */
export interface InvocationBudget {
  /** Store reads and batches (each batch one transaction) before the invocation yields. */
  readonly queries: number;
  /** Wall-clock ms before the invocation yields. */
  readonly ms: number;
  /** How long steps still running at a yield get to finish and commit (ms); after it they run again later. */
  readonly grace: number;
}

/** What an invocation did, as `onInvocation` reports it. */
export interface InvocationReport {
  /** What invoked the object: a request, or its alarm. */
  readonly kind: "fetch" | "alarm";
  /** Store reads and batches it made (each batch one transaction), and SQL statements in all. */
  readonly queries: number;
  readonly statements: number;
  /** True when it hit its budget and yielded: the run carries on in the next invocation (the alarm). */
  readonly yielded: boolean;
  /** Executions it woke from the alarm (`engine.wakeDue`). */
  readonly woken: number;
  readonly ms: number;
}

/** What an {@link Invocation} runs with. */
export interface InvocationSetup {
  readonly storage: DurableObjectStorageLike;
  readonly workflows: Iterable<Workflow<unknown, unknown>>;
  readonly secrets: SecretProvider;
  readonly holdSleepsUpTo: number;
  /** Where values too large for the log go (the `BLOBS` bucket), if anywhere. */
  readonly outputStorage?: OutputStorage;
  readonly budget: InvocationBudget;
  readonly router: { readonly token?: string; readonly bodyLimit: number };
  /** Called with the id of an execution whose state changed (a WORKFLOW_* event was recorded). */
  readonly changed: (executionId: string) => void;
}

/**
 * @internal One invocation of an execution object (a request, or the alarm): its own engine
 * and router on the object's storage, with a budget. When the invocation has made
 * `budget.queries` store calls or run `budget.ms`, it yields: its engine closes gracefully
 * (`Engine.close`: running steps finish and commit, each run is suspended at that step boundary
 * and its lease given up), so the execution is due at once and the object's alarm carries it on
 * in a new invocation. No invocation outlives the platform's per-invocation limits, and
 * concurrent invocations of one object are separate runners of the store, so the store's
 * leases and expected sequences decide which one runs an execution (the other gets 409).
 */
export class Invocation {
  readonly engine: Engine;
  readonly app: Hono;
  readonly store: DurableObjectStore;
  readonly #budget: InvocationBudget;
  readonly #started = Date.now();
  readonly #kept: Promise<unknown>[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #yielded = false;
  #closing: Promise<void> | undefined;

  constructor(setup: InvocationSetup) {
    this.#budget = setup.budget;
    this.store = new DurableObjectStore(setup.storage, { description: "the execution object's storage", onCall: () => this.#check() });
    this.engine = new Engine({
      store: this.store, secrets: setup.secrets, holdSleepsUpTo: setup.holdSleepsUpTo, workflows: setup.workflows,
      ...(setup.outputStorage === undefined ? {} : { outputStorage: setup.outputStorage }),
      onDispatchError: (error, id) => console.error(`flux: waking execution ${id} in its object failed:`, error),
    });
    this.engine.subscribe((notice) => {
      if (notice.kind === "event" && notice.event.type.startsWith("WORKFLOW_")) setup.changed(notice.executionId);
    });
    this.app = createRouter(this.engine, { bodyLimit: setup.router.bodyLimit, ...(setup.router.token === undefined ? {} : { token: setup.router.token }) });
    this.#timer = setTimeout(() => this.yield(), this.#budget.ms);
  }

  /** True once the invocation hit its budget and yielded. */
  get yielded(): boolean {
    return this.#yielded;
  }

  /** What the router hands `waitUntil` (`engine.settled()` after each POST: what the request set off): awaited by {@link finish}. */
  keep(promise: Promise<unknown>): void {
    this.#kept.push(promise);
  }

  /** Stops here: every run is suspended at its next step boundary and carries on in the next invocation. */
  yield(): void {
    this.#yielded = true;
    void this.#close();
  }

  /**
   * Ends the invocation: waits for what the request set off (the run an event it delivered
   * woke, a child's parent, a `?wait=false` run: {@link keep}), wakes what is still due unless it
   * yielded, then closes the engine. Resolves with how many executions it woke.
   */
  async finish(): Promise<number> {
    await Promise.allSettled(this.#kept);
    let woken = 0;
    if (!this.#yielded) woken = await this.engine.wakeDue().catch((error: unknown) => (console.error("flux: waking due executions failed:", error), 0));
    await this.#close();
    return woken;
  }

  /** What this invocation did so far. */
  report(kind: InvocationReport["kind"], woken = 0): InvocationReport {
    const { queries, statements } = this.store.counts;
    return { kind, queries, statements, yielded: this.#yielded, woken, ms: Date.now() - this.#started };
  }

  #check(): void {
    if (!this.#yielded && this.store.counts.queries >= this.#budget.queries) this.yield();
  }

  #close(): Promise<void> {
    clearTimeout(this.#timer);
    this.#closing ??= this.engine.close({ grace: this.#budget.grace });
    return this.#closing;
  }
}
