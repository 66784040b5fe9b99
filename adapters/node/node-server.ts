import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { drainUnreadBody } from "./drain-unread-body.js";

/** A running HTTP server. */
export interface RunningServer {
  /** Where it listens, e.g. `http://127.0.0.1:8000`. */
  readonly url: string;
  readonly port: number;
  /**
   * Stops accepting connections and closes idle ones at once; requests in progress get their
   * answers, and their connections close then. After `patience` ms (default 0) what is still
   * open is closed. Resolves once every connection is closed.
   */
  close(patience?: number): Promise<void>;
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
        close: (patience = 0) => new Promise<void>((done) => {
          const force = setTimeout(() => (server as { closeAllConnections?: () => void }).closeAllConnections?.(), patience);
          server.close(() => {
            clearTimeout(force);
            done();
          });
          (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
          if (patience === 0) (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        }),
      });
    });
  });
}
