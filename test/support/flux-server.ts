import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { afterAll } from "vitest";
import { fluxBin } from "../cli-support.js";

/** The servers this test file started and that still run: SIGKILLed after the file, or when its process exits. */
const running = new Set<ChildProcess>();
// Registered when a test file first imports this module (so on that file's root suite), whether
// servers are started in a hook or in a test: hooks registered from inside a hook never run.
afterAll(() => {
  for (const child of running) child.kill("SIGKILL");
  running.clear();
});
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once("error", reject).listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A `flux start` process serving on 127.0.0.1. */
export interface FluxServer {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything it printed (stdout and stderr). */
  output(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `flux start PATH --port P ...extra` in `cwd` and resolves once it serves; SIGKILLed after the test file. */
export async function startFlux(path: string, cwd: string, extra: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<FluxServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [fluxBin, "start", path, "--port", String(port), ...extra], {
    cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  running.add(child);
  child.once("exit", () => running.delete(child));
  const deadline = Date.now() + 20_000;
  while (!out.includes(`on http://127.0.0.1:${port}`)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`flux start did not come up:\n${out}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { child, url: `http://127.0.0.1:${port}`, output: () => out, exited };
}
