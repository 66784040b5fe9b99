/**
 * `flux-ts/client`: a typed client of the flux-ts HTTP API (`flux start`, a Worker, any router of
 * `flux-ts/hono`), with `fetch` only: Node, browsers, Workers, Deno, Bun.
 *
 * @example
 * import { createClient } from "flux-ts/client";
 * const flux = createClient({ baseUrl: "http://127.0.0.1:8000" });
 * const { execution_id } = await flux.start(helloWorld, "World");
 * for await (const event of flux.stream(execution_id)) console.log(event.type);
 */
export { createClient, type ClientOptions, type FluxClient } from "./client.js";
export { FluxHttpError } from "./client-error.js";
export { readSse, type SseMessage } from "./sse-reader.js";
export type {
  WorkflowRef, ExecutionResult, ErrorJson, StartOptions, SentEvent, CancelAnswer, ListQuery, EventsPage, EventsQuery, StreamOptions, HealthJson,
  ExecutionsPage, CheckJson, EventJson, PageJson, SummaryJson, JsonValue,
} from "./client-types.js";
