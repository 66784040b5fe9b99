import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import { afterAll } from "vitest";

/** How a child process ended, and what it printed. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A TypeScript child process (`node --import tsx script ...args`, or its bundle) that can be waited for or killed. */
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

const root = fileURLToPath(new URL("../..", import.meta.url));
/** The bundles {@link bundleChildren} made in this test file, by script, and the folders they are in. */
const bundles = new Map<string, string>();
const folders: string[] = [];
// Registered when a test file first imports this module (on that file's root suite): an
// afterAll registered from inside bundleChildren, itself called in a hook, would never run.
afterAll(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * Bundles each TypeScript `script`, with the sources it imports, into one ES module, so that
 * {@link spawnTs} starts it with plain node from then on in this test file: about 0.2 s a
 * process instead of 1 s under tsx (its loader hooks and transforms), which counts in a test
 * that starts a hundred. Packages stay imports, loaded from the repository's node_modules as
 * under tsx (the bundles are written below node_modules/.cache/, removed after the test file); no
 * code is left out (no tree-shaking: a module imported for its side effects still runs, in
 * the same order). Call it in `beforeAll`.
 */
export async function bundleChildren(scripts: readonly string[]): Promise<void> {
  const cache = join(root, "node_modules", ".cache");
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, "flux-test-children-"));
  folders.push(dir);
  const names = scripts.map((script) => basename(script).replace(/\.ts$/, ""));
  await build({
    configFile: false, logLevel: "silent", root,
    build: {
      ssr: true, outDir: dir, emptyOutDir: false, minify: false, target: "node20",
      rollupOptions: { input: Object.fromEntries(names.map((name, i) => [name, scripts[i]!])), treeshake: false, output: { format: "es", entryFileNames: "[name].mjs" } },
    },
  });
  names.forEach((name, i) => bundles.set(scripts[i]!, join(dir, `${name}.mjs`)));
}

/**
 * Starts `script` with `args` and extra `env`: its bundle when {@link bundleChildren} made one,
 * else under tsx. It is killed if still alive after `timeout` ms.
 */
export function spawnTs(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, timeout = 30_000): TsChild {
  const bundle = bundles.get(script);
  const start = bundle === undefined ? ["--import", "tsx", script] : [bundle];
  const proc = spawn(process.execPath, [...start, ...args], { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
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
