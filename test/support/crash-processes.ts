// What the crash-point tests with deployment processes share (crash-composed-run.ts,
// crash-events-run.ts): processes one after another on one SQLite file, each killed at the point
// its plan names (armed through KILL_POINT) or at a time after it printed "running", the last one
// running to the end, with a snapshot after each.
import { spawnTs, type ChildExit, type TsChild } from "./spawn-child.js";

/** A kill `afterMs` after the process printed "running"; any other kill point is armed in the process. */
export type TimedKill = { readonly afterMs: number };

const live = new Set<TsChild>();

/** Kills the deployment processes still running (a test that failed while another plan ran): for `afterAll`. */
export function killLiveProcesses(): void {
  for (const proc of live) proc.kill();
}

/** Runs `script` with `args`, its choices seeded by `seed`, killed as `kill` says; resolves with how it ended and how long it ran. */
async function runProcess(script: string, args: readonly string[], kill: object | undefined, seed: number): Promise<ChildExit & { ms: number }> {
  const timed = kill !== undefined && "afterMs" in kill ? (kill as TimedKill) : undefined;
  const env = { DRIVE_SEED: String(seed), ...(kill !== undefined && timed === undefined ? { KILL_POINT: JSON.stringify(kill) } : {}) };
  const proc = spawnTs(script, args, env);
  live.add(proc);
  void proc.exited.then(() => live.delete(proc));
  const running = proc.waitFor("running").then(() => Date.now(), () => Date.now());
  if (timed !== undefined) void running.then(() => setTimeout(() => proc.kill(), timed.afterMs));
  const exit = await proc.exited;
  return { ...exit, ms: Date.now() - (await running) };
}

/**
 * Runs one process per kill of `kills`, then one more to the end, each seeded from `seed` and its
 * place; takes `snapshot()` after each. A process that was not killed must have exited 0, and
 * only a timed kill may come after the process ended by itself: else `problem` is told.
 */
export async function runProcessChain<S>(
  script: string, args: readonly string[], kills: readonly object[], seed: number, snapshot: () => Promise<S>, problem: (what: string) => void,
): Promise<{ snapshots: S[]; kills: number; firstRunMs: number }> {
  const snapshots: S[] = [];
  let killed = 0;
  let firstRunMs = 0;
  for (let i = 0; i <= kills.length; i++) {
    const kill = kills[i];
    const exit = await runProcess(script, args, kill, (seed + i) % 2 ** 32);
    if (i === 0) firstRunMs = exit.ms;
    if (exit.signal === "SIGKILL") killed += 1;
    else if (exit.code !== 0 || (kill !== undefined && !("afterMs" in kill))) problem(`process ${i} ${exit.code === 0 ? "was not killed" : `failed (exit ${exit.code})`}: ${exit.stderr}`);
    snapshots.push(await snapshot());
  }
  return { snapshots, kills: killed, firstRunMs };
}
