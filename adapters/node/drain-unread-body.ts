import type { IncomingMessage } from "node:http";

type Fetch = (request: Request, env?: unknown) => Response | Promise<Response>;

/** How much of an unread request body is read and thrown away after the response, at most. */
export interface DrainLimits {
  /** Bytes (default 64 MiB); past it the connection is closed. */
  readonly maxBytes?: number;
  /** Milliseconds (default 10 s); past it the connection is closed. */
  readonly timeout?: number;
}

/**
 * Wraps a fetch handler served by `@hono/node-server` so that a request body the app answered
 * without reading (a 404, 401 or 413 sent before the body arrived) is read to its end and thrown
 * away after the response, within `limits`. Without it the server resets the keep-alive
 * connection, and the client's next request on it fails (`ECONNRESET`) although it was valid.
 * A body the app started to read and left (a 413 found while streaming) cannot be drained: its
 * response says `Connection: close`, so the client does not reuse the connection.
 *
 * @example
 * createAdaptorServer({ fetch: drainUnreadBody(app.fetch) });
 */
export function drainUnreadBody(fetch: Fetch, limits: DrainLimits = {}): Fetch {
  const maxBytes = limits.maxBytes ?? 64 * 1024 * 1024;
  const timeout = limits.timeout ?? 10_000;
  return async (request, env) => {
    const response = await fetch(request, env);
    const incoming = (env as { incoming?: IncomingMessage } | undefined)?.incoming;
    if (incoming === undefined || incoming.complete || request.body === null || request.bodyUsed) return response;
    if (!request.body.locked) {
      void discard(request.body, maxBytes, timeout);
      return response;
    }
    const headers = new Headers(response.headers);
    headers.set("Connection", "close");
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  };
}

async function discard(body: ReadableStream<Uint8Array>, maxBytes: number, timeout: number): Promise<void> {
  const reader = body.getReader();
  const timer = setTimeout(() => void reader.cancel().catch(() => undefined), timeout);
  try {
    for (let read = 0; ; ) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
      if (read > maxBytes) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // The client went away: nothing left to drain.
  } finally {
    clearTimeout(timer);
  }
}
