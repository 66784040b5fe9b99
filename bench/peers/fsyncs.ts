import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The system calls counted as a flush to disk: what SQLite, PostgreSQL, RocksDB and workerd's SQLite call. */
export const syncCalls = ["fsync", "fdatasync"] as const;

/** Why fsyncs cannot be counted here (no strace), or `undefined` when they can. */
export function fsyncsUnavailable(): string | undefined {
  const probe = spawnSync("strace", ["-V"], { stdio: "ignore" });
  return probe.error === undefined && probe.status === 0 ? undefined : "strace is not installed (apt-get install -y strace)";
}

/** `pid` and every process below it (its children, their children …), read from /proc. */
export function processTree(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // the process exited meanwhile
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i += 1) for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child);
  return tree;
}

/** The processes whose command line contains `text` (e.g. a server's port argument). */
export function processesMatching(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ").includes(text)) found.push(Number(entry));
    } catch {
      // the process exited meanwhile
    }
  }
  return found;
}

/**
 * Counts the fsync and fdatasync calls made by `pids` (every thread, and any process they fork
 * meanwhile) while `during` runs: `strace -f -c -e trace=fsync,fdatasync` attached to them
 * before it starts and detached after it ends. strace stops the traced threads at each system
 * call, so `during` runs slower than untraced: time it in another run, never this one.
 */
export async function countFsyncs<T>(pids: readonly number[], during: () => Promise<T>): Promise<{ calls: number; result: T }> {
  const dir = mkdtempSync(join(tmpdir(), "flux-strace-"));
  const summary = join(dir, "summary.txt");
  const strace = spawn("strace", ["-f", "-c", "-o", summary, "-e", `trace=${syncCalls.join(",")}`, ...pids.flatMap((pid) => ["-p", String(pid)])], { stdio: ["ignore", "ignore", "pipe"] });
  let errors = "";
  const exited = new Promise<void>((resolve) => strace.once("exit", () => resolve()));
  try {
    // strace says "Process N attached" on stderr for each process (and thread) it attached to.
    await new Promise<void>((resolve, reject) => {
      const attached = new Set<string>();
      const timer = setTimeout(() => reject(new Error(`strace did not attach to ${pids.join(", ")} within 20 s: ${errors}`)), 20_000);
      strace.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        errors += chunk;
        for (const match of chunk.matchAll(/Process (\d+) attached/g)) attached.add(match[1]!);
        if (pids.every((pid) => attached.has(String(pid)))) {
          clearTimeout(timer);
          resolve();
        }
      });
      strace.once("exit", (code) => reject(new Error(`strace exited with ${code}: ${errors}`)));
    });
    const result = await during();
    strace.kill("SIGINT");
    await exited;
    return { calls: parseCalls(readFileSync(summary, "utf8")), result };
  } finally {
    if (strace.exitCode === null && strace.signalCode === null) {
      strace.kill("SIGINT");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The calls of the counted system calls in strace's `-c` table (columns: % time, seconds, usecs/call, calls, [errors,] syscall). */
function parseCalls(table: string): number {
  let calls = 0;
  for (const line of table.split("\n")) {
    const cells = line.trim().split(/\s+/);
    const name = cells.at(-1);
    if (name !== undefined && (syncCalls as readonly string[]).includes(name)) calls += Number(cells[3]);
  }
  return calls;
}
