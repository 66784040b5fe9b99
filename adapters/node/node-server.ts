import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { drainUnreadBody } from "./drain-unread-body.js";

/** A running HTTP server. */
export interface RunningServer {
  /** Where it listens, e.g. `http://127.0.0.1:8000`. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections and resolves once open ones are closed. */
  close(): Promise<void>;
}

/**
 * Serves `fetch` (a Hono app's) on Node at `host:port` (port 0 picks a free one). Rejects with
 * the listen error, e.g. `EADDRINUSE` when the port is taken.
 *
 * @example
 * const server = await listen(createRouter(engine).fetch, "127.0.0.1", 8000);
 */
export function listen(fetch: (request: Request) => Response | Promise<Response>, host: string, port: number): Promise<RunningServer> {
  // A body left unread (answered 404, 401, 413 first) is drained, so keep-alive connections survive it.
  const server = createAdaptorServer({ fetch: drainUnreadBody(fetch), hostname: host });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address() as AddressInfo;
      const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
      resolve({
        url: `http://${shown}:${address.port}`,
        port: address.port,
        close: () => new Promise<void>((done) => {
          server.close(() => done());
          (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        }),
      });
    });
  });
}
