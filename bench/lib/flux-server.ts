import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../../bin/flux.js", import.meta.url));

/** A `flux start` process serving some workflows on 127.0.0.1, in a temp directory of its own. */
export interface FluxServer {
  readonly url: string;
  /** The server's process id (to read its CPU time). */
  readonly pid: number;
  stop(): Promise<void>;
}

/** Where and how to start it. */
export interface FluxServerOptions {
  /** Its working directory, and so `.flux/flux.db` under it (kept by `stop`); default a new temp directory (removed by `stop`). */
  readonly cwd?: string;
  /** More arguments to `flux start`. */
  readonly args?: readonly string[];
}

/** Servers not stopped yet: killed when this process exits, whatever way it exits (a failed sample too). */
const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts `flux start <path> --port <free port>` with its working directory (and so its
 * `.flux/flux.db`, the default SQLite store) in a new temp directory, or in `options.cwd`;
 * resolves once it serves.
 */
export async function startFluxServer(path: string, options: FluxServerOptions = {}): Promise<FluxServer> {
  const cwd = options.cwd ?? mkdtempSync(join(tmpdir(), "flux-http-"));
  const port = await freePort();
  // FLUX_BENCH_CPU_PROF=<dir>: the server runs under `node --cpu-prof` and writes its profile there when it stops.
  const profile = process.env["FLUX_BENCH_CPU_PROF"];
  const nodeArgs = profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}`, "--cpu-prof-interval=250"] : [];
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, cli, "start", path, "--port", String(port), ...(options.args ?? [])], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  live.add(child);
  let output = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
      if (output.includes("flux: serving")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`flux start exited with ${code}: ${output}`)));
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    async stop() {
      child.kill("SIGTERM");
      await exited;
      live.delete(child);
      if (options.cwd === undefined) rmSync(cwd, { recursive: true, force: true });
    },
  };
}
