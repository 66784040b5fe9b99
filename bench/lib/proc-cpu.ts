import { existsSync, readdirSync, readFileSync } from "node:fs";

/**
 * CPU time (ms) used so far by process `pid`, all its threads and its child processes (tsx's
 * esbuild service, for a server that loads TypeScript), read from Linux's `/proc`: each
 * thread's `schedstat` (time on a CPU, in ns). Threads that have exited are no longer counted,
 * so take the difference of two readings over a window in which none ends (an idle server).
 * `undefined` where there is no `/proc` (not Linux).
 */
export function cpuTimeMs(pid: number): number | undefined {
  if (!existsSync(`/proc/${pid}/task`)) return undefined;
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const dir = `/proc/${pid}/task/${task}`;
    try {
      ns += Number(readFileSync(`${dir}/schedstat`, "utf8").split(" ")[0]);
      for (const child of readFileSync(`${dir}/children`, "utf8").trim().split(/\s+/).filter(Boolean)) ns += (cpuTimeMs(Number(child)) ?? 0) * 1e6;
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return ns / 1e6;
}
