import { ShuttingDownError } from "./errors.js";
import type { ExecutionRunner } from "./execution-runner.js";

/**
 * The graceful stop of `Engine.close` (see there), once the dispatcher is stopped: no new run
 * starts, running steps get `grace` ms to finish and commit (held sleeps and retry delays stop
 * at once), each run is suspended there with its lease given up, runs still busy after the grace
 * are cut off the same way; resolves once every run has ended.
 */
export async function stopRuns(runner: ExecutionRunner, grace: number): Promise<void> {
  runner.closing = true;
  for (const exec of runner.leases.running()) exec.stop();
  const runs = () => [...runner.runs.values()].map((run) => run.then(() => undefined, () => undefined));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, grace)));
  await Promise.race([Promise.all(runs()), expired]);
  clearTimeout(timer);
  for (const exec of runner.leases.running()) {
    exec.halt(new ShuttingDownError(`the engine closed before execution ${exec.id}'s running step finished: it runs again on the next runner`, { executionId: exec.id }));
  }
  await Promise.all(runs());
}
