import { createServer, type Http2Server } from "node:http2";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startProcess, type Running } from "./child-process.js";
import { processTree } from "./fsyncs.js";
import { importPeer, peersDir, peerVersion } from "./peer-modules.js";
import { secondsSince, type Peer } from "./peer.js";
import { freePort, waitFor } from "./ports.js";

/** The few members of `@restatedev/restate-sdk` used here. */
interface RestateSdk {
  service(definition: { name: string; handlers: Record<string, (ctx: RestateContext, input: number) => Promise<number>> }): unknown;
  createEndpointHandler(options: { services: unknown[] }): Parameters<typeof createServer>[0];
}
interface RestateContext {
  run<T>(name: string, action: () => Promise<T>): Promise<T>;
}

/**
 * SDK 1.17 calls `Promise.withResolvers`, which Node 20 lacks (it came in Node 22): the
 * standard behaviour, installed only when missing, before the SDK loads.
 */
function polyfillWithResolvers(): void {
  const P = Promise as unknown as { withResolvers?: () => unknown };
  P.withResolvers ??= function withResolvers<T>() {
    let resolve!: (value: T) => void;
    let reject!: (reason: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

const quiet = { RESTATE_LOG_FILTER: "error", RUST_LOG: "error" };
// The SDK logs every invocation at INFO; this process prints the table.
process.env.RESTATE_LOGGING ??= "ERROR";

/**
 * Restate: `restate-server` (the binary its npm package ships; default configuration, its own
 * durable log in a temp base dir) and a TypeScript service on this process's HTTP/2 endpoint;
 * each execution is one ingress call whose handler journals N `ctx.run` steps.
 */
export const restate: Peer = {
  get name() {
    return `Restate ${peerVersion("@restatedev/restate-server")} (SDK ${peerVersion("@restatedev/restate-sdk")})`;
  },
  setup: "restate-server binary, default config; SDK endpoint in this process (HTTP/2); ingress call over HTTP",
  async start() {
    polyfillWithResolvers();
    const sdk = await importPeer<RestateSdk>("@restatedev/restate-sdk");
    const bench = sdk.service({
      name: "bench",
      handlers: {
        async sequential(ctx, steps) {
          for (let i = 0; i < steps; i += 1) await ctx.run("noop", async () => i);
          return steps;
        },
      },
    });
    const endpoint: Http2Server = createServer(sdk.createEndpointHandler({ services: [bench] }));
    const endpointPort = await freePort();
    await new Promise<void>((resolve) => endpoint.listen(endpointPort, "127.0.0.1", resolve));

    const baseDir = mkdtempSync(join(tmpdir(), "flux-peer-restate-"));
    const [ingress, admin, node, pgsql] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const server: Running = startProcess(`${peersDir}node_modules/.bin/restate-server`, ["--base-dir", baseDir, "--listen-mode", "tcp", "--no-logo"], {
      env: {
        ...process.env,
        ...quiet,
        RESTATE_INGRESS__BIND_ADDRESS: `127.0.0.1:${ingress}`,
        RESTATE_ADMIN__BIND_ADDRESS: `127.0.0.1:${admin}`,
        RESTATE_ADMIN__QUERY_ENGINE__PGSQL_BIND_ADDRESS: `127.0.0.1:${pgsql}`,
        RESTATE_BIND_ADDRESS: `127.0.0.1:${node}`,
        RESTATE_ADVERTISED_ADDRESS: `http://127.0.0.1:${node}`,
      },
    });
    const stop = async () => {
      await server.stop();
      await new Promise<void>((resolve) => endpoint.close(() => resolve()));
      rmSync(baseDir, { recursive: true, force: true });
    };
    try {
      await waitFor("restate-server's admin API", async () => {
        if (server.process.exitCode !== null) throw new Error(`restate-server exited: ${server.output()}`);
        return (await fetch(`http://127.0.0.1:${admin}/health`)).ok;
      });
      await waitFor("the deployment to register", async () => {
        const response = await fetch(`http://127.0.0.1:${admin}/deployments`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ uri: `http://127.0.0.1:${endpointPort}`, force: true }),
        });
        return response.ok;
      });
      const url = `http://127.0.0.1:${ingress}/bench/sequential`;
      await waitFor("the ingress to route to the service", async () => (await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: "1" })).ok);
      return {
        async run(steps) {
          const start = performance.now();
          const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(steps) });
          const output = (await response.json()) as unknown;
          const seconds = secondsSince(start);
          if (output !== steps) throw new Error(`Restate answered ${response.status} ${JSON.stringify(output)}`);
          return seconds;
        },
        processes: () => [process.pid, ...processTree(server.process.pid!)],
        stop,
      };
    } catch (error) {
      await stop();
      throw error;
    }
  },
};
