import type { Clock } from "./clock.js";
import type { WorkflowExecutionContext } from "./execution-context.js";
import type { ExecutionRunner, Prepared } from "./execution-runner.js";
import type { LeaseKeeper } from "./lease-keeper.js";
import type { ExecutionSummary } from "./state-store.js";
import type { WorkflowRegistry } from "./workflow-registry.js";

/** What `engine.recover()` did: the executions it replayed, and those it left (with why). */
export interface RecoverReport {
  readonly recovered: string[];
  readonly skipped: { executionId: string; reason: string }[];
}

/**
 * Recovers the executions left running by runners that died (see `Engine.recover`). Every
 * candidate is claimed and loaded first, then all are run at once: a parent recovered with its
 * children finds them running on this engine and awaits them, so the pass ends with all done.
 */
export async function recoverStale(
  runner: ExecutionRunner, leases: LeaseKeeper, workflows: WorkflowRegistry, clock: Clock, staleAfter: number | undefined,
): Promise<RecoverReport> {
  const recovered: string[] = [];
  const skipped: { executionId: string; reason: string }[] = [];
  const skip = (executionId: string, reason: string) => void skipped.push({ executionId, reason });
  const now = clock.now();
  const candidates: ExecutionSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await runner.runtime.store.list({ state: "running", limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
    for (const summary of page.executions) {
      const { executionId, lease } = summary;
      if (leases.isRunning(executionId)) skip(executionId, "this engine is running it");
      else if (workflows.find(summary.workflow) === undefined) skip(executionId, `workflow "${summary.workflow}" is not registered here`);
      else if (lease !== undefined && lease.owner !== leases.owner && lease.expiresAt > now) {
        skip(executionId, `it is being run by another runner (${lease.owner}, lease until ${new Date(lease.expiresAt).toISOString()})`);
      } else if (summary.updatedAt > now - (staleAfter ?? (lease === undefined ? leases.ttl : 0))) {
        skip(executionId, "it made progress recently: its runner may be alive");
      }
      else candidates.push(summary);
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);

  const prepared: Prepared[] = [];
  await Promise.all(candidates.map(async (summary) => {
    try {
      const ready = await runner.prepare(workflows.get(summary.workflow), summary.executionId, { kind: "recover" });
      if ("exec" in ready) prepared.push(ready);
      else recovered.push(summary.executionId);
    } catch (error) {
      skip(summary.executionId, messageOf(error));
    }
  }));
  const runs: Promise<WorkflowExecutionContext<unknown, unknown> | void>[] = prepared.map((ready) => runner.run(ready).then(
    () => void recovered.push(ready.exec.id),
    (error: unknown) => skip(ready.exec.id, messageOf(error)),
  ));
  await Promise.all(runs);
  return { recovered, skipped };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
