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
  stop(): Promise<void>;
}

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
 * `.flux/flux.db`, the default SQLite store) in a new temp directory; resolves once it serves.
 */
export async function startFluxServer(path: string): Promise<FluxServer> {
  const cwd = mkdtempSync(join(tmpdir(), "flux-http-"));
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [cli, "start", path, "--port", String(port)], { cwd, stdio: ["ignore", "pipe", "pipe"] });
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
    async stop() {
      child.kill("SIGTERM");
      await exited;
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}
