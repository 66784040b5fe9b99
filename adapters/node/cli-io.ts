import type { ExecutionState } from "../../src/events.js";

/** Where a command writes, and what it knows of its terminal. Tests pass their own. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** The process's own streams, environment and directory. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** The exit codes of `flux`, so that a script can tell outcomes apart. */
export const ExitCode = { succeeded: 0, failed: 1, usage: 2, paused: 3, cancelled: 4 } as const;

/** The exit code for an execution that ended in `state`: 0 succeeded (or still running), 1 failed, 3 paused, 4 cancelled. */
export function exitCodeOf(state: ExecutionState): number {
  if (state === "failed") return ExitCode.failed;
  if (state === "cancelled") return ExitCode.cancelled;
  if (state === "paused") return ExitCode.paused;
  return ExitCode.succeeded;
}

/** Writes `value` as indented JSON and a newline. */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** True when output should be for people: stdout is a terminal and `--json` was not given. */
export function forPeople(io: CliIo, json: boolean): boolean {
  return !json && io.stdout.isTTY === true;
}

/** ANSI styling for a terminal that wants it (not with NO_COLOR); identity functions otherwise. */
export function styles(io: CliIo, stream: "stdout" | "stderr" = "stderr"): Record<"bold" | "dim" | "red" | "green" | "yellow" | "cyan", (text: string) => string> {
  const on = io[stream].isTTY === true && io.env["NO_COLOR"] === undefined;
  const wrap = (open: number, close: number) => (text: string) => (on ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), cyan: wrap(36, 39) };
}

/** A duration for people: `850 ms`, `1.25 s`, `2 min 5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
