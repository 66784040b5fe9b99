import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startFluxServer } from "../lib/flux-server.js";
import type { Workload } from "../lib/workload.js";

const helloWorld = fileURLToPath(new URL("../../examples/hello_world.ts", import.meta.url));
const autocannon = createRequire(import.meta.url).resolve("autocannon/autocannon.js");
const seconds = 10;
const connections = 50;

/** What `autocannon --json` reports that we read. */
interface AutocannonResult {
  readonly requests: { readonly average: number; readonly total: number };
  readonly latency: { readonly p50: number; readonly p99: number };
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

/**
 * `POST /hello_world` on `flux start examples/hello_world.ts` (default SQLite store, durable
 * per step), from autocannon in another process on 127.0.0.1: 50 connections for 10 s.
 * Completed executions per second; p50/p99 latency printed with each sample.
 */
const http: Workload = {
  title: "HTTP POST /hello_world (flux start)",
  unit: "executions/s",
  target: { value: 1_000, better: "higher" },
  variants: ["sqlite"],
  warmups: 0,
  async measure() {
    const server = await startFluxServer(helloWorld);
    try {
      const args = [autocannon, "--json", "-c", String(connections), "-d", String(seconds), "-m", "POST", "-H", "content-type=application/json", "-b", '"World"', `${server.url}/hello_world`];
      const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 16 << 20 });
      const result = JSON.parse(stdout) as AutocannonResult;
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx answers and ${result.errors} errors of ${result.requests.total}`);
      return { value: result.requests.average, note: `latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms (${connections} connections)` };
    } finally {
      await server.stop();
    }
  },
};
export default http;
