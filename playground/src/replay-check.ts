import { Engine, MemoryStore, type StoredEvent } from "flux-ts";
import type { HistoryDocument } from "./history-io.js";
import type { LoadedModule } from "./load-module.js";

/** What replaying a history against workflow code showed. */
export interface ReplayReport {
  readonly ok: boolean;
  /** One line for the page. */
  readonly message: string;
  /** Steps whose results came from the history. */
  readonly replayed: number;
  /** Events the replay recorded beyond the history's (steps that ran for real, and the end). */
  readonly recorded: number;
  readonly ms: number;
}

const ENDINGS = new Set(["WORKFLOW_COMPLETED", "WORKFLOW_FAILED", "WORKFLOW_PAUSED"]);

/**
 * Replays a history against `module`'s code in a scratch in-memory engine in strict replay mode
 * (the tab's store is not touched, no task body runs): the history without its final workflow
 * event is replayed, every step returns its recorded result, and the workflow must reach the
 * same end with the same value. Like the engine's `replayHistory`, plus the subworkflows'
 * histories, which a `ctx.map`/`ctx.call` replay reads. A changed workflow fails with the
 * engine's `NonDeterminismError`.
 */
export async function checkReplay(doc: HistoryDocument, module: LoadedModule, timeoutMs = 10_000): Promise<ReplayReport> {
  const started = performance.now();
  const workflow = module.workflows.get(doc.workflow);
  if (workflow === undefined) {
    const known = [...module.workflows.keys()].join(", ") || "none";
    return { ok: false, message: `the code defines no workflow "${doc.workflow}" (it defines: ${known})`, replayed: 0, recorded: 0, ms: 0 };
  }
  const last = doc.events.at(-1)!;
  const ended = ENDINGS.has(last.type);
  const prefix = ended ? doc.events.slice(0, -1) : doc.events;
  const store = new MemoryStore();
  for (const [id, log] of Object.entries(doc.children)) await store.commit(id, log, { expectedSeq: 0 });
  await store.commit(doc.executionId, prefix, { expectedSeq: 0 });
  const engine = new Engine({ store, strictReplay: true });
  const replayed = new Set(prefix.filter((e) => !e.type.startsWith("WORKFLOW_")).map((e) => e.sourceId)).size;
  try {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the replay did not end within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    await Promise.race([engine.run(workflow, undefined, { executionId: doc.executionId }), timeout]).finally(() => clearTimeout(timer));
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { ok: false, message, replayed, recorded: 0, ms: performance.now() - started };
  }
  const after = (await store.load(doc.executionId)).slice(prefix.length);
  const ms = performance.now() - started;
  const end = after.at(-1);
  if (!ended) {
    return { ok: true, message: `replayed ${replayed} recorded steps; the history had not ended, so neither did the replay`, replayed, recorded: after.length, ms };
  }
  if (end === undefined || end.type !== last.type || withoutStacks(end.value) !== withoutStacks(last.value)) {
    return { ok: false, message: `the replay ended with ${describe(end)}, but the history with ${describe(last)}`, replayed, recorded: after.length, ms };
  }
  const outcome = { WORKFLOW_COMPLETED: "output", WORKFLOW_FAILED: "error", WORKFLOW_PAUSED: "pause" }[last.type] ?? last.type;
  return { ok: true, message: `deterministic: ${replayed} steps replayed from the history, no task ran, same ${outcome}`, replayed, recorded: after.length, ms };
}

/** A recorded value with error stacks removed: a replay rebuilds a failure, with a new stack. */
function withoutStacks(text: string): string {
  return JSON.stringify(JSON.parse(text), (key, value: unknown) => (key === "stack" ? undefined : value));
}

function describe(event: StoredEvent | undefined): string {
  return event === undefined ? "nothing" : `${event.type} ${event.value.length > 80 ? `${event.value.slice(0, 79)}…` : event.value}`;
}
