/** How `flux start` logs requests: a line for people, a JSON object per line for machines, or nothing. */
export type LogFormat = "text" | "json" | "off";

/** One logged request. */
export interface RequestLogEntry {
  readonly time: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** From the request's arrival to its answer's head (a live stream's lasts longer). */
  readonly ms: number;
  /** The execution the request concerned, when it names one or its answer does. */
  readonly execution_id?: string;
}

/**
 * Wraps `fetch` (a router's) so that each request is logged once its answer is ready: method,
 * path (no query: it is not logged, nor any header), status, milliseconds, and the execution
 * id: from the path (`/inspect/{id}`, `/executions/{id}/...`, `POST /{workflow}/{id}/...`), or
 * from the JSON answer of a run (`POST /{workflow}`). `write` gets each line.
 *
 * @example
 * listen(logRequests(app.fetch, "text", (line) => process.stdout.write(line)), host, port);
 */
export function logRequests(fetch: (request: Request) => Response | Promise<Response>, format: LogFormat, write: (line: string) => void): (request: Request) => Promise<Response> {
  return async (request) => {
    const started = performance.now();
    const response = await fetch(request);
    if (format === "off") return response;
    const path = new URL(request.url).pathname;
    const executionId = idInPath(request.method, path) ?? await idInAnswer(request.method, path, response);
    const entry: RequestLogEntry = {
      time: new Date().toISOString(), method: request.method, path, status: response.status, ms: Math.round(performance.now() - started),
      ...(executionId === undefined ? {} : { execution_id: executionId }),
    };
    write(format === "json" ? `${JSON.stringify(entry)}\n` : `${entry.method} ${entry.path} ${entry.status} ${entry.ms} ms${executionId === undefined ? "" : ` ${executionId}`}\n`);
    return response;
  };
}

function idInPath(method: string, path: string): string | undefined {
  const parts = path.split("/").slice(1).map(decoded);
  if (parts[0] === "inspect" && parts.length === 2) return parts[1];
  if (parts[0] === "executions" && parts.length >= 2) return parts[1];
  if (method === "POST" && parts.length >= 2) return parts[1];
  return undefined;
}

function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** The `execution_id` of a run's JSON answer (or of a 503 that interrupted one). */
async function idInAnswer(method: string, path: string, response: Response): Promise<string | undefined> {
  if (method !== "POST" || path.split("/").length !== 2 || !(response.headers.get("content-type") ?? "").includes("json")) return undefined;
  try {
    const body = (await response.clone().json()) as { execution_id?: unknown; error?: { execution_id?: unknown } };
    const id = body.execution_id ?? body.error?.execution_id;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}
