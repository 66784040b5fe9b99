import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { SqliteStore } from "../../adapters/sqlite/index.js";
import { Engine, systemClock, type Clock } from "../../src/index.js";
import { wakeApproval, wakeTimer } from "./wake-workflows.js";

/** The workflows file `flux start` serves in the wake workloads. */
export const wakeWorkflowsFile = new URL("./wake-workflows.ts", import.meta.url);

/** How far in the future the sleepers that never come due during a run sleep (ms): a year. */
const farSleep = 365 * 24 * 3600_000;

/** The default store's file under a project directory, as `flux start` opens it there. */
export function fluxDb(dir: string): string {
  return join(dir, ".flux", "flux.db");
}

/**
 * Seeds `dir/.flux/flux.db` (the default store's settings: WAL, synchronous = FULL) with
 * `paused` executions of `wake_approval` waiting on their pause and `sleeping` executions of
 * `wake_timer` suspended on a one-year durable sleep, run by an engine in this process that holds
 * no sleep (`holdSleepsUpTo: 0`), 1,000 at a time: what `flux start` would have recorded of
 * them. Resolves with the time it took (ms).
 */
export async function seedWaiting(dir: string, counts: { paused: number; sleeping: number }): Promise<number> {
  mkdirSync(join(dir, ".flux"), { recursive: true });
  const start = performance.now();
  const engine = new Engine({ store: await new SqliteStore(fluxDb(dir)).ready(), holdSleepsUpTo: 0 });
  try {
    for (let done = 0; done < counts.paused; done += 1000) {
      const runs = Array.from({ length: Math.min(1000, counts.paused - done) }, (_, i) => engine.run(wakeApproval, done + i));
      for (const ctx of await Promise.all(runs)) if (ctx.state !== "paused") throw new Error(`a seeded wake_approval ended ${ctx.state}`);
    }
    for (let done = 0; done < counts.sleeping; done += 1000) {
      const runs = Array.from({ length: Math.min(1000, counts.sleeping - done) }, () => engine.run(wakeTimer, farSleep));
      for (const ctx of await Promise.all(runs)) if (ctx.state !== "paused") throw new Error(`a seeded wake_timer ended ${ctx.state}`);
    }
  } finally {
    await engine.close();
  }
  return performance.now() - start;
}

/**
 * Adds `count` executions of `wake_timer` whose durable sleep comes due at exactly `at` (ms since
 * the epoch), to the database `path` that a server may be serving: another runner on the same
 * file, as `flux exec` would be. They are recorded by an engine whose clock reads one instant
 * (the time of the call) for all of them, so each sleep is `at` − that instant and all end at
 * `at` (with the system clock they would end over the time seeding takes). Resolves with
 * their ids once they are all suspended (their sleep durable, their lease given up).
 */
export async function seedTimers(path: string, count: number, at: number): Promise<string[]> {
  const now = Date.now();
  if (at <= now) throw new Error(`seedTimers: ${at} is not in the future`);
  const clock: Clock = { now: () => now, sleep: systemClock.sleep };
  const engine = new Engine({ store: await new SqliteStore(path).ready(), holdSleepsUpTo: 0, clock });
  try {
    const contexts = await Promise.all(Array.from({ length: count }, () => engine.run(wakeTimer, at - now)));
    for (const ctx of contexts) if (ctx.state !== "paused") throw new Error(`a seeded wake_timer ended ${ctx.state}`);
    const ids = contexts.map((ctx) => ctx.executionId);
    const summary = await engine.store.get(ids[0]!);
    if (summary?.wakeAt !== at) throw new Error(`a seeded timer is due at ${summary?.wakeAt}, not ${at}`);
    return ids;
  } finally {
    await engine.close();
  }
}
