import type { Clock } from "./clock.js";
import { ConflictError } from "./errors.js";
import type { Execution } from "./execution.js";
import type { StateStore } from "./state-store.js";

interface Active {
  readonly since: number;
  held: boolean;
}

/**
 * Keeps the leases of one engine's running executions. An execution that existed before this
 * run (a replay, a resume, a recovery) is leased before anything runs; a new one is leased once
 * it has run for a third of the TTL (until then its fresh commits show it is alive, and starts
 * stay cheap). Leases are renewed every third of the TTL and given up when the run ends. A
 * renewal that finds another owner halts the run with `ConflictError`.
 */
export class LeaseKeeper {
  readonly #active = new Map<Execution, Active>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly store: StateStore,
    readonly clock: Clock,
    /** This runner's identity in leases. */
    readonly owner: string,
    /** How long a lease lasts without renewal, in ms. */
    readonly ttl: number,
  ) {}

  /** True while this engine runs the execution `executionId`. */
  isRunning(executionId: string): boolean {
    for (const exec of this.#active.keys()) if (exec.id === executionId) return true;
    return false;
  }

  /** Takes the lease of `exec` now (see {@link track}); rejects with `ConflictError` when another live runner holds it. */
  async take(exec: Execution): Promise<void> {
    const now = this.clock.now();
    const lease = await this.store.lease(exec.id, this.owner, { now, expiresAt: now + this.ttl });
    if (lease.owner !== this.owner) {
      throw new ConflictError(
        `execution ${exec.id} is being run by another runner (${lease.owner}, lease until ${new Date(lease.expiresAt).toISOString()}); it can be recovered once that lease expires`,
      );
    }
    const active = this.#active.get(exec);
    if (active !== undefined) active.held = true;
  }

  /**
   * Registers `exec` as run by this engine, synchronously, and starts renewing its lease once
   * held (see {@link take}). Throws `ConflictError` when this engine already runs an execution of
   * that id: the lease cannot tell two runs of one owner apart, so this does.
   */
  track(exec: Execution): void {
    if (this.isRunning(exec.id)) {
      throw new ConflictError(`execution ${exec.id} is already running on this engine: wait until it pauses or finishes, then resume it`);
    }
    this.#active.set(exec, { since: this.clock.now(), held: false });
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => void this.#renew(), Math.max(10, this.ttl / 3));
      (this.#timer as { unref?: () => void }).unref?.();
    }
  }

  /** Stops renewing and gives the lease up (best effort: an expired lease frees itself anyway). */
  async release(exec: Execution): Promise<void> {
    const active = this.#active.get(exec);
    this.#active.delete(exec);
    if (this.#active.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
    if (!active?.held) return;
    const now = this.clock.now();
    await this.store.lease(exec.id, this.owner, { now, expiresAt: now }).catch(() => undefined);
  }

  async #renew(): Promise<void> {
    const now = this.clock.now();
    for (const [exec, active] of this.#active) {
      if (!active.held && now - active.since < this.ttl / 3) continue;
      try {
        const lease = await this.store.lease(exec.id, this.owner, { now, expiresAt: now + this.ttl });
        if (lease.owner === this.owner) active.held = true;
        else exec.halt(new ConflictError(`execution ${exec.id} was taken over by runner ${lease.owner}: this run stops without recording more`));
      } catch {
        // A renewal that fails is retried at the next tick; the lease outlives a few misses.
      }
    }
  }
}
