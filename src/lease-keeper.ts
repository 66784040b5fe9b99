import type { Clock } from "./clock.js";
import { ConflictError } from "./errors.js";
import type { Execution } from "./execution.js";
import type { CancelRequest, StateStore } from "./state-store.js";

interface Owned {
  exec: Execution | undefined;
  /** A renewal on its way to the store: a release waits for it, so it cannot land after the release. */
  renewing: Promise<void> | undefined;
}

/**
 * The executions one engine runs, and their leases. An execution is reserved synchronously the
 * moment a run of it begins (a second run of it on this engine is refused at once), leased from
 * its first commit (a new one) or by {@link claim} before anything of it is read (an existing
 * one), renewed every third of the TTL while it runs, and given up when its run ends without a
 * commit that gave it up (a suspension or an end does). A renewal that finds another owner halts
 * the run with `ConflictError`: it records nothing more; one that finds a cancellation asked for
 * cancels the run.
 */
export class LeaseKeeper {
  readonly #owned = new Map<string, Owned>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly store: StateStore,
    readonly clock: Clock,
    /** This runner's identity in leases. */
    readonly owner: string,
    /** How long a lease lasts without renewal, in ms. */
    readonly ttl: number,
  ) {}

  /** True while this engine runs (or is about to run) the execution `executionId`. */
  isRunning(executionId: string): boolean {
    return this.#owned.has(executionId);
  }

  /** The executions this engine runs now. */
  running(): Execution[] {
    return [...this.#owned.values()].flatMap((owned) => (owned.exec === undefined ? [] : [owned.exec]));
  }

  /**
   * Reserves `executionId` for a run on this engine, synchronously. Throws `ConflictError` when
   * this engine already runs it: a lease cannot tell two runs of one owner apart, so this does.
   */
  reserve(executionId: string): void {
    if (this.#owned.has(executionId)) {
      throw new ConflictError(`execution ${executionId} is already running on this engine: wait until it pauses or finishes, then resume it`);
    }
    this.#owned.set(executionId, { exec: undefined, renewing: undefined });
  }

  /**
   * Takes the lease of an existing execution; rejects with `ConflictError` when another live
   * runner holds it. Resolves with the cancellation asked for, if one was (it may have landed
   * after the caller read the execution's summary: the caller must not run a step then).
   */
  async claim(executionId: string): Promise<CancelRequest | undefined> {
    const now = this.clock.now();
    const lease = await this.store.lease(executionId, this.owner, { now, expiresAt: now + this.ttl });
    if (lease.owner !== this.owner) {
      throw new ConflictError(
        `execution ${executionId} is being run by another runner (${lease.owner}, lease until ${new Date(lease.expiresAt).toISOString()}); it can be recovered once that lease expires`,
      );
    }
    return lease.cancel;
  }

  /** Starts renewing the lease of the reserved execution `exec` while it runs. */
  hold(exec: Execution): void {
    const owned = this.#owned.get(exec.id);
    if (owned !== undefined) owned.exec = exec;
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#renewAll(), Math.max(10, this.ttl / 3));
      (this.#timer as { unref?: () => void }).unref?.();
    }
  }

  /**
   * Ends the reservation of `executionId`. With `giveUp` (the run ended without a commit that
   * gave the lease up), the lease is given up so that another runner may take the execution at
   * once; also when a renewal was on its way meanwhile (it may have taken the lease again).
   */
  async release(executionId: string, giveUp: boolean): Promise<void> {
    const owned = this.#owned.get(executionId);
    this.#owned.delete(executionId);
    if (this.#owned.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
    const renewing = owned?.renewing;
    if (renewing !== undefined) await renewing;
    if (!giveUp && renewing === undefined) return;
    const now = this.clock.now();
    await this.store.lease(executionId, this.owner, { now, expiresAt: now }).catch(() => undefined);
  }

  #renewAll(): void {
    for (const owned of this.#owned.values()) {
      const exec = owned.exec;
      if (exec === undefined || exec.ended || owned.renewing !== undefined) continue;
      owned.renewing = this.#renew(exec).finally(() => {
        owned.renewing = undefined;
      });
    }
  }

  async #renew(exec: Execution): Promise<void> {
    const now = this.clock.now();
    try {
      const lease = await this.store.lease(exec.id, this.owner, { now, expiresAt: now + this.ttl });
      if (lease.owner !== this.owner) exec.halt(new ConflictError(`execution ${exec.id} was taken over by runner ${lease.owner}: this run stops without recording more`));
      else if (lease.cancel !== undefined) exec.cancel(lease.cancel.reason);
    } catch {
      // Not committed yet (a new execution's first commit is on its way), or the store failed:
      // retried at the next tick; the lease outlives a few misses.
    }
  }
}
