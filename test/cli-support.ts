import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll } from "vitest";

/** The repository's root (what `npm install flux-ts` would put in node_modules). */
export const repo = fileURLToPath(new URL("..", import.meta.url));
/** The `flux` command. */
export const fluxBin = join(repo, "bin", "flux.js");

/** What a finished process printed, and its exit code. */
export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node bin/flux.js ...args` in `cwd` (stdout and stderr are pipes, not terminals). */
export function flux(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return run(process.execPath, [fluxBin, ...args], cwd, env);
}

/** Runs `flux` under a pseudo-terminal (util-linux `script`), as a person at a terminal would. */
export function fluxOnTerminal(args: readonly string[], cwd: string): Promise<Ran> {
  const quoted = [process.execPath, fluxBin, ...args].map((arg) => `'${arg.replaceAll("'", "'\\''")}'`).join(" ");
  return run("script", ["-qec", quoted, "/dev/null"], cwd, { NO_COLOR: "1" });
}

function run(file: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(file, [...args], { cwd, env: { ...process.env, FORCE_COLOR: "0", ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * A user's project directory: a fresh temp dir with flux-ts "installed" (node_modules/flux-ts
 * links to this repository) and the given files written into it. Removed after the test file.
 */
export function userProject(files: Readonly<Record<string, string>> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "flux-cli-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(repo, join(dir, "node_modules", "flux-ts"), "dir");
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** The JSON printed on stdout. */
export function stdoutJson<T = Record<string, unknown>>(ran: Ran): T {
  try {
    return JSON.parse(ran.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${ran.code}):\n${ran.stdout}\nstderr:\n${ran.stderr}`);
  }
}
