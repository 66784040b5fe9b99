import { execFile } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root. */
export const repo = fileURLToPath(new URL("../..", import.meta.url));
/** Where the consumer projects' own files are (test/consumers/). */
export const consumers = join(repo, "test", "consumers");

/** What a finished process printed, and its exit code. */
export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `file args` in `cwd` and resolves when it exits (never rejects). The child is killed
 * after `timeout` ms, so that no test leaves a process behind; the limit is generous, since
 * it only stops a hung child and is not a timing assertion.
 */
export function run(file: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeout = 180_000): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(file, [...args], { cwd, env: { ...process.env, ...env }, timeout, killSignal: "SIGKILL", maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Like {@link run}, but throws with everything the child printed when it exits non-zero. */
export async function runOk(file: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  const ran = await run(file, args, cwd, env);
  if (ran.code !== 0) throw new Error(`${file} ${args.join(" ")} (in ${cwd}) exited ${ran.code}:\n${ran.stdout}\n${ran.stderr}`);
  return ran;
}

/** One file of the packed tarball, as `npm pack --json` lists it. */
export interface PackedFile {
  readonly path: string;
  readonly size: number;
}

/** The packed tarball: where it is, its size, its files. */
export interface Packed {
  readonly tarball: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: readonly PackedFile[];
}

/**
 * `npm pack` into `dir` of a fresh copy of the repository (the files git lists, tracked or new,
 * in `dir`/repo, with a link to the repository's node_modules): npm runs prepack, which builds
 * dist/ there from nothing, as a publish from a clean clone does. The repository's own dist/,
 * which test files running at the same time use, is never rewritten under them (the dashboard's
 * build empties its folder first), and no stale file of it can reach the tarball.
 */
export async function pack(dir: string): Promise<Packed> {
  const copy = join(dir, "repo");
  const listed = (await runOk("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], repo)).stdout.split("\0");
  for (const file of listed.filter((f) => f !== "" && existsSync(join(repo, f)))) {
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    copyFileSync(join(repo, file), join(copy, file));
  }
  symlinkSync(join(repo, "node_modules"), join(copy, "node_modules"), "dir");
  const ran = await runOk("npm", ["pack", "--json", "--pack-destination", dir], copy);
  const [info] = JSON.parse(ran.stdout.slice(ran.stdout.indexOf("["))) as { filename: string; size: number; unpackedSize: number; files: PackedFile[] }[];
  return { tarball: join(dir, info!.filename), size: info!.size, unpackedSize: info!.unpackedSize, files: info!.files };
}

/**
 * A fresh project in `dir` ("type": "module") with the tarball and `packages` installed by npm,
 * as a user would, preferring npm's cache (offline when it holds everything; the registry otherwise).
 */
export async function consumerProject(dir: string, tarball: string, packages: readonly string[] = []): Promise<string> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: "flux-consumer", private: true, type: "module" }, null, 2)}\n`);
  await runOk("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", tarball, ...packages], dir);
  return dir;
}

/**
 * Puts the repository's own build of better-sqlite3 into the project, where `npm install
 * better-sqlite3` would put it: the same package, without its ~100 s native build (npm would
 * also rebuild a linked folder in place).
 */
export function linkBetterSqlite(project: string): void {
  symlinkSync(join(repo, "node_modules", "better-sqlite3"), join(project, "node_modules", "better-sqlite3"), "dir");
}

/** Copies test/consumers/`name` into `dir`. */
export function copyConsumer(name: string, dir: string): string {
  cpSync(join(consumers, name), dir, { recursive: true });
  return dir;
}

/** The packages of a project's node_modules (scoped ones counted one by one) and their size in bytes. */
export function installed(project: string): { packages: string[]; bytes: number } {
  const root = join(project, "node_modules");
  const packages = readdirSync(root).filter((name) => !name.startsWith("."))
    .flatMap((name) => (name.startsWith("@") ? readdirSync(join(root, name)).map((inner) => `${name}/${inner}`) : [name]));
  return { packages, bytes: packages.reduce((sum, name) => sum + sizeOf(join(root, name)), 0) };
}

function sizeOf(path: string): number {
  const stat = statSync(path);
  return stat.isDirectory() ? readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0) : stat.size;
}

/** Runs `tasks` with at most `limit` at a time (two cores: tsc runs two by two). */
export async function pool<T>(limit: number, tasks: readonly (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
