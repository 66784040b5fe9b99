import { fileURLToPath } from "node:url";
import { startFluxServer } from "../lib/flux-server.js";
import { processTree } from "./fsyncs.js";
import { secondsSince, type Peer } from "./peer.js";

const served = fileURLToPath(new URL("../lib/http-sequential.ts", import.meta.url));

/**
 * flux-ts as a service: `flux start` (the real CLI, a child process, default store: SQLite
 * WAL, synchronous = FULL) serving one workflow; each execution is one `POST /sequential`
 * answered when it ends, over a kept-alive connection (fetch's), one at a time.
 */
export const fluxHttp: Peer = {
  name: "flux-ts via `flux start` (HTTP)",
  setup: "flux start, a child process; SQLite WAL, synchronous=FULL; POST /sequential, answered at the end",
  async start() {
    const server = await startFluxServer(served);
    const url = `${server.url}/sequential`;
    return {
      async run(steps) {
        const start = performance.now();
        const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(steps) });
        const body = (await response.json()) as { output?: unknown; state?: string };
        const seconds = secondsSince(start);
        if (body.output !== steps) throw new Error(`flux start answered ${response.status} ${JSON.stringify(body)}`);
        return seconds;
      },
      processes: () => processTree(server.pid),
      stop: () => server.stop(),
    };
  },
};
