import { Engine } from "./engine.js";
import { NonDeterminismError, UsageError } from "./errors.js";
import { ExecutionEventType as T } from "./events.js";
import { MemoryStore } from "./memory-store.js";
import type { StoredEvent } from "./state-store.js";
import { VirtualClock } from "./virtual-clock.js";
import type { Workflow } from "./workflow.js";

/** What else {@link replayHistory} may be given. */
export interface ReplayHistoryOptions {
  /**
   * The histories of the subworkflows the execution called, by execution id (the `call` of their
   * step's start), at any depth. A history that waits on a subworkflow still running or paused
   * needs them: the replay reads the child's recorded state, as a run does, and never runs it.
   */
  readonly children?: Readonly<Record<string, readonly StoredEvent[]>>;
}

/**
 * Replays a recorded history against today's code without running any task body or writing
 * anywhere: every durable call must match the recorded step (kind, name, parallel shape) at its
 * position, every step must already be recorded, every recorded step must be called, and a
 * history that ended must end the same way (the same outcome, or paused at the same pause).
 * Resolves with the replayed output; rejects with `NonDeterminismError` naming the first
 * divergence. Use it in tests over stored histories (golden files) so that a change of code
 * that would break executions in flight fails before it ships. Time stands still at the last
 * recorded event: a sleep the history waits on is waited on again (the replay ends paused on it,
 * at once), never slept through.
 *
 * @example
 * const history = JSON.parse(await readFile("test/golden/hello_world.json", "utf8"));
 * await replayHistory(helloWorld, history.events);
 */
export async function replayHistory<I, O>(workflow: Workflow<I, O>, events: readonly StoredEvent[], options: ReplayHistoryOptions = {}): Promise<unknown> {
  const first = events[0];
  if (first === undefined || first.type !== T.WORKFLOW_STARTED) throw new UsageError("a history starts with a WORKFLOW_STARTED event");
  if (first.name !== workflow.name) throw new NonDeterminismError(`the history is of workflow "${first.name}", not "${workflow.name}"`);
  const last = events[events.length - 1]!;
  const finished = last.type === T.WORKFLOW_COMPLETED || last.type === T.WORKFLOW_FAILED;
  const executionId = first.sourceId;
  const store = new MemoryStore();
  const prefix = finished || last.type === T.WORKFLOW_PAUSED ? events.slice(0, -1) : events;
  for (const [id, log] of Object.entries(options.children ?? {})) {
    if (log.length > 0 && id !== executionId) await store.commit(id, log, { expectedSeq: 0 });
  }
  await store.commit(executionId, prefix, { expectedSeq: 0 });
  // The clock stops at the last recorded event, and no sleep is held in memory: a sleep still
  // pending there suspends the replay, as it suspended the run.
  const clock = new VirtualClock({ start: last.time });
  const engine = new Engine({ store, strictReplay: true, clock, holdSleepsUpTo: 0 });
  const context = await engine.run(workflow, undefined as I, { executionId });
  const paused = last.type === T.WORKFLOW_PAUSED;
  if (!finished && !paused) return context.output;
  const replayed = (await store.load(executionId)).at(-1)!;
  // A paused history records the pause's name (older ones a structure of their waits): the
  // replay must stop there too.
  const samePause = paused && replayed.type === last.type && (!last.value.startsWith('"') || replayed.value === last.value);
  if (!samePause && (replayed.type !== last.type || replayed.value !== last.value)) {
    throw new NonDeterminismError(
      `replay of execution ${executionId} of workflow "${workflow.name}" ended with ${replayed.type} ${replayed.value}, but the history recorded ${last.type} ${last.value}`,
    );
  }
  return context.output;
}
