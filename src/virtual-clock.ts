import type { Clock } from "./clock.js";
import { nextMacrotask } from "./scheduling.js";

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/**
 * A clock for tests and simulations. Time moves only by `advance`, or, with `auto`, by itself:
 * whenever sleepers wait, the earliest wakes at once (time jumps to its wake time), in order of
 * wake time, then of call. Durable sleeps and retry delays then take no real time.
 *
 * @example
 * const clock = new VirtualClock({ start: 0, auto: true });
 * const engine = new Engine({ clock });
 */
export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: Timer[] = [];
  #scheduled = false;
  readonly #auto: boolean;

  constructor(options: { start?: number; auto?: boolean } = {}) {
    this.#now = options.start ?? 0;
    this.#auto = options.auto ?? false;
  }

  now(): number {
    return this.#now;
  }

  /** The wake times asked for so far, in call order (what a test asserts delays with). */
  readonly sleeps: number[] = [];

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer: Timer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, resolve };
      this.#timers.push(timer);
      signal?.addEventListener("abort", () => {
        this.#timers = this.#timers.filter((t) => t !== timer);
        reject(signal.reason);
      }, { once: true });
      if (this.#auto) this.#schedule();
    });
  }

  /** Moves time forward by `ms`, waking every sleeper due by then, in order. */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (let next = this.#earliest(); next !== undefined && next.at <= until; next = this.#earliest()) this.#wake(next);
    this.#now = until;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    nextMacrotask(() => {
      this.#scheduled = false;
      const next = this.#earliest();
      if (next === undefined) return;
      this.#wake(next);
      if (this.#timers.length > 0) this.#schedule();
    });
  }

  #earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.#timers) if (best === undefined || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    return best;
  }

  #wake(timer: Timer): void {
    this.#timers = this.#timers.filter((t) => t !== timer);
    this.#now = Math.max(this.#now, timer.at);
    timer.resolve();
  }
}
