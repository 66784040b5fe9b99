// What the seeded simulations share: turns of the event loop (not timers, so a seed replays
// exactly), and one action of a runner, stopped gracefully part-way when the schedule says so.
import type { Engine } from "flux-ts";

/** Resolves after `n` turns of the event loop. */
export const turns = (n: number) => Array.from({ length: n }).reduce<Promise<unknown>>((p) => p.then(() => new Promise((r) => setImmediate(r))), Promise.resolve());

/**
 * Runs `action` on `engine`; with `stopAfter`, closes the engine gracefully that many turns into
 * it. Resolves with what the action failed with (`undefined` when it did not).
 */
export async function actWithStop(engine: Engine, action: () => Promise<unknown>, stopAfter: number | undefined): Promise<unknown> {
  let failure: unknown;
  const run = action().catch((error: unknown) => void (failure = error));
  if (stopAfter !== undefined) {
    await turns(stopAfter);
    await engine.close({ grace: 60_000 });
  }
  await run;
  return failure;
}
