import type { Engine, EngineNotice } from "../../src/engine.js";
import { ExecutionEventType as T, type ExecutionEvent } from "../../src/events.js";
import { formatDuration, styles, type CliIo } from "./cli-io.js";

/**
 * Shows on `io.stderr`, line by line, what the engine records as it happens: each workflow and
 * subworkflow starting and ending, each task starting, retrying, falling back, rolling back,
 * pausing and finishing, with timings, and the progress tasks report: a fraction (0 to 1) as a
 * percentage, and on a terminal as a bar per running step, kept under the lines and redrawn in
 * place until the step ends. Replayed steps are not shown (they are not recorded again).
 * Returns the function that stops it.
 */
export function reportProgress(engine: Engine, io: CliIo): () => void {
  const style = styles(io, "stderr");
  const depth = new Map<string, number>();
  const started = new Map<string, number>();
  const bars = new ProgressBars(io);
  let root: string | undefined;
  const line = (executionId: string, text: string): string => {
    // A subworkflow's lines carry its id relative to the root (".1", ".2.1"), as they interleave.
    const tag = root !== undefined && executionId !== root && executionId.startsWith(root) ? `${style.dim(`[${executionId.slice(root.length)}]`)} ` : "";
    return `${"  ".repeat(depth.get(executionId) ?? 0)}${tag}${text}`;
  };
  const write = (executionId: string, text: string): void => bars.print(`${line(executionId, text)}\n`);
  const since = (key: string, event: ExecutionEvent) => {
    const start = started.get(key);
    return start === undefined ? "" : style.dim(`  ${formatDuration(event.time - start)}`);
  };

  function onEvent(executionId: string, event: ExecutionEvent): void {
    const stepKey = `${executionId}#${event.sourceId}`;
    if (event.type !== T.TASK_STARTED && event.type !== T.TASK_RETRY_STARTED) bars.remove(stepKey);
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

  const unsubscribe = engine.subscribe((notice: EngineNotice) => {
    if (notice.kind === "event") return onEvent(notice.executionId, notice.event);
    const label = `  ${style.dim("…")} ${style.bold(notice.name)} ${style.dim(`step ${notice.stepId}`)}`;
    const fraction = typeof notice.value === "number" && notice.value >= 0 && notice.value <= 1 ? notice.value : undefined;
    if (fraction !== undefined && bars.live) return bars.set(`${notice.executionId}#${notice.stepId}`, line(notice.executionId, label), fraction);
    write(notice.executionId, `${label}  ${fraction === undefined ? short(notice.value) : percent(fraction)}`);
  });
  return () => {
    unsubscribe();
    bars.clear();
  };
}

const percent = (fraction: number) => `${Math.round(fraction * 100)}%`;

/**
 * The progress bars of the running steps, drawn under everything else on a terminal: a line
 * printed clears them, is written, and they are drawn again under it.
 */
class ProgressBars {
  readonly #io: CliIo;
  readonly #bars = new Map<string, { label: string; fraction: number }>();
  #drawn = 0;
  /** Bars are drawn only on a terminal (elsewhere a progress report is a line). */
  readonly live: boolean;

  constructor(io: CliIo) {
    this.#io = io;
    this.live = io.stderr.isTTY === true;
  }

  print(text: string): void {
    const out = `${this.#erase()}${text}${this.#render()}`;
    if (out !== "") this.#io.stderr.write(out);
  }

  set(key: string, label: string, fraction: number): void {
    this.#bars.set(key, { label, fraction });
    this.print("");
  }

  remove(key: string): void {
    if (this.#bars.delete(key)) this.print("");
  }

  clear(): void {
    this.#bars.clear();
    this.print("");
  }

  #erase(): string {
    const lines = this.#drawn;
    this.#drawn = 0;
    // Up to the first bar's line, then clear to the end of the screen.
    return lines === 0 ? "" : `\u001b[${lines}F\u001b[J`;
  }

  #render(): string {
    if (!this.live) return "";
    this.#drawn = this.#bars.size;
    const width = 24;
    return [...this.#bars.values()].map(({ label, fraction }) => {
      const full = Math.round(fraction * width);
      return `${label}  ${"█".repeat(full)}${"░".repeat(width - full)} ${percent(fraction).padStart(4)}\n`;
    }).join("");
  }
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
