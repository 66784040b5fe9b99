import type { Engine, EngineNotice } from "../../src/engine.js";
import { ExecutionEventType as T, type ExecutionEvent } from "../../src/events.js";
import { formatDuration, styles, type CliIo } from "./cli-io.js";

/**
 * Shows on `io.stderr`, line by line, what the engine records as it happens: each workflow and
 * subworkflow starting and ending, each task starting, retrying, falling back, rolling back,
 * pausing and finishing, with timings, and the progress tasks report. Replayed steps are not
 * shown (they are not recorded again). Returns the function that stops it.
 */
export function reportProgress(engine: Engine, io: CliIo): () => void {
  const style = styles(io, "stderr");
  const depth = new Map<string, number>();
  const started = new Map<string, number>();
  let root: string | undefined;
  const write = (executionId: string, text: string): void => {
    // A subworkflow's lines carry its id relative to the root (".1", ".2.1"), as they interleave.
    const tag = root !== undefined && executionId !== root && executionId.startsWith(root) ? `${style.dim(`[${executionId.slice(root.length)}]`)} ` : "";
    io.stderr.write(`${"  ".repeat(depth.get(executionId) ?? 0)}${tag}${text}\n`);
  };
  const since = (key: string, event: ExecutionEvent) => {
    const start = started.get(key);
    return start === undefined ? "" : style.dim(`  ${formatDuration(event.time - start)}`);
  };

  function onEvent(executionId: string, event: ExecutionEvent): void {
    const stepKey = `${executionId}#${event.sourceId}`;
    const step = `${style.bold(event.name)} ${style.dim(`step ${event.sourceId}`)}`;
    switch (event.type) {
      case T.WORKFLOW_STARTED:
      case T.WORKFLOW_RESUMED: {
        if (!depth.has(executionId)) depth.set(executionId, parentDepth(depth, executionId));
        root ??= executionId;
        started.set(executionId, event.time);
        const verb = event.type === T.WORKFLOW_STARTED ? "started" : "resumed";
        const id = executionId === root ? ` ${style.dim(executionId)}` : "";
        return write(executionId, `${style.cyan("▶")} ${style.bold(event.name)} ${verb}${id}`);
      }
      case T.WORKFLOW_COMPLETED:
        return write(executionId, `${style.green("✓")} ${style.bold(event.name)} succeeded${since(executionId, event)}`);
      case T.WORKFLOW_FAILED:
        return write(executionId, `${style.red("✗")} ${style.bold(event.name)} failed${since(executionId, event)}: ${style.red(describeError(event.value))}`);
      case T.WORKFLOW_PAUSED:
        return write(executionId, `${style.yellow("⏸")} ${style.bold(event.name)} paused${since(executionId, event)}`);
      case T.TASK_STARTED:
        started.set(stepKey, event.time);
        return write(executionId, `  ${style.dim("·")} ${step}`);
      case T.TASK_COMPLETED:
        return write(executionId, `  ${style.green("✓")} ${step}${since(stepKey, event)}`);
      case T.TASK_FAILED:
        return write(executionId, `  ${style.red("✗")} ${step}${since(stepKey, event)}  ${style.red(describeError(event.value))}`);
      case T.TASK_RETRY_STARTED: {
        const { attempt, delay } = (event.value ?? {}) as { attempt?: number; delay?: number };
        const wait = typeof delay === "number" && delay > 0 ? ` in ${formatDuration(delay)}` : "";
        return write(executionId, `  ${style.yellow("↻")} ${step}  retry ${attempt ?? "?"}${wait}`);
      }
      case T.TASK_RETRY_FAILED: {
        const { attempt, error } = (event.value ?? {}) as { attempt?: number; error?: unknown };
        return write(executionId, `  ${style.red("✗")} ${step}  retry ${attempt ?? "?"} failed${since(stepKey, event)}: ${describeError(error)}`);
      }
      case T.TASK_FALLBACK_STARTED:
      case T.TASK_ROLLBACK_STARTED:
        return write(executionId, `  ${style.yellow("↪")} ${step}  ${event.type === T.TASK_FALLBACK_STARTED ? "fallback" : "rollback"}`);
      case T.TASK_FALLBACK_COMPLETED:
      case T.TASK_ROLLBACK_COMPLETED:
        return write(executionId, `  ${style.green("✓")} ${step}  ${event.type === T.TASK_FALLBACK_COMPLETED ? "fallback" : "rollback"} done${since(stepKey, event)}`);
      case T.TASK_FALLBACK_FAILED:
      case T.TASK_ROLLBACK_FAILED:
        return write(executionId, `  ${style.red("✗")} ${step}  ${event.type === T.TASK_FALLBACK_FAILED ? "fallback" : "rollback"} failed: ${describeError(event.value)}`);
      case T.TASK_PAUSED:
        return write(executionId, `  ${style.yellow("⏸")} ${step}  waiting to be resumed`);
      case T.TASK_RESUMED:
        return write(executionId, `  ${style.cyan("▶")} ${step}  resumed`);
    }
  }

  return engine.subscribe((notice: EngineNotice) => {
    if (notice.kind === "event") return onEvent(notice.executionId, notice.event);
    write(notice.executionId, `  ${style.dim("…")} ${style.bold(notice.name)} ${style.dim(`step ${notice.stepId}`)}  ${short(notice.value)}`);
  });
}

/** A subworkflow's id is its parent's id, ".", and the step id: one level deeper than the longest known prefix. */
function parentDepth(depth: ReadonlyMap<string, number>, executionId: string): number {
  let best: number | undefined;
  let bestLength = -1;
  for (const [id, level] of depth) {
    if (executionId.startsWith(`${id}.`) && id.length > bestLength) {
      best = level + 1;
      bestLength = id.length;
    }
  }
  return best ?? 0;
}

function describeError(value: unknown): string {
  if (value instanceof Error) {
    const cause = value.cause instanceof Error && !value.message.includes(value.cause.message) ? ` (${value.cause.name}: ${value.cause.message})` : "";
    return `${value.name}: ${value.message}${cause}`;
  }
  return short(value);
}

function short(value: unknown): string {
  let text: string;
  try {
    text = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
