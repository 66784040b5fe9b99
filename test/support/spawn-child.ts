import { spawn } from "node:child_process";

/** How a child process ended, and what it printed. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A TypeScript child process (`node --import tsx script ...args`) that can be waited for or killed. */
export interface TsChild {
  readonly pid: number | undefined;
  /** Resolves with the first line of stdout equal to `line` (rejects if the child exits first). */
  waitFor(line: string): Promise<void>;
  /** Everything printed on stdout so far, as lines. */
  lines(): string[];
  /** Writes `text` to the child's stdin. */
  send(text: string): void;
  /** Sends SIGKILL. */
  kill(): void;
  readonly exited: Promise<ChildExit>;
}

/** Starts `script` under tsx with `args` and extra `env`; it is killed if still alive after `timeout` ms. */
export function spawnTs(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, timeout = 30_000): TsChild {
  const proc = spawn(process.execPath, ["--import", "tsx", script, ...args], { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const waiters: { line: string; resolve: () => void }[] = [];
  proc.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    const lines = stdout.split("\n");
    for (const waiter of [...waiters]) {
      if (lines.includes(waiter.line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  proc.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => proc.kill("SIGKILL"), timeout);
  const exited = new Promise<ChildExit>((resolve) => {
    proc.on("exit", (code, signal) => {
      clearTimeout(timer);
      // Let the last output arrive.
      setImmediate(() => resolve({ code, signal, stdout, stderr }));
    });
  });
  return {
    pid: proc.pid,
    waitFor: (line) => new Promise<void>((resolve, reject) => {
      if (stdout.split("\n").includes(line)) return resolve();
      waiters.push({ line, resolve });
      void exited.then((exit) => reject(new Error(`the child exited (${exit.code ?? exit.signal}) before printing ${JSON.stringify(line)}:\n${exit.stderr}`)));
    }),
    lines: () => stdout.split("\n").filter((line) => line !== ""),
    send: (text) => void proc.stdin.write(text),
    kill: () => proc.kill("SIGKILL"),
    exited,
  };
}
