import { executionStates } from "./list-query.js";

type Json = { readonly [key: string]: unknown };

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json, description: string): Json => ({ description, content: { "application/json": { schema } } });
const errors = (...statuses: number[]): Json => Object.fromEntries(statuses.map((status) => [String(status), { $ref: `#/components/responses/E${status}` }]));
const pathParam = (name: string, description: string): Json => ({ name, in: "path", required: true, schema: { type: "string" }, description });
const query = (name: string, schema: Json, description: string): Json => ({ name, in: "query", required: false, schema, description });

const workflowParam = pathParam("workflow", "A registered workflow's name (GET /workflows lists them).");
const idParam = pathParam("execution_id", "The execution's id (1 to 200 letters, digits, _ - . :).");
const inspectParam = query("inspect", { type: "boolean" }, "Add the events to the answer (the first 1,000; next names the rest).");
const jsonBody = (description: string): Json => ({ required: false, description, content: { "application/json": { schema: {} } } });
const afterParam = query("after", { type: "integer", minimum: -1 }, "Only the events whose id is greater (the Last-Event-ID header wins over it).");
const encodingParam = query("encoding", { type: "string", enum: ["wire", "flux"] }, "wire (default): values as the API answers them; flux: as recorded (tagged Dates, Errors with stacks).");
const executionState = { type: "string", enum: executionStates };

const schemas: Json = {
  Execution: {
    type: "object", required: ["execution_id", "name", "input", "output", "state"],
    properties: {
      execution_id: { type: "string" }, name: { type: "string" }, input: {}, output: {}, state: executionState,
      events: { type: "array", items: ref("Event"), description: "A page of the events: a value of 1 KB or more that the answer already holds is { \"$ref\": JSON Pointer } to its first copy." },
      next: { type: "string", description: "The address of the next page of events, when more follow." },
    },
  },
  Event: {
    type: "object", required: ["id", "type", "source_id", "name", "value", "time"],
    properties: { id: { type: "integer" }, type: { type: "string" }, source_id: { type: "string" }, name: { type: "string" }, value: {}, time: { type: "string", format: "date-time" } },
  },
  Summary: {
    type: "object", required: ["execution_id", "workflow", "state", "events", "created_at", "updated_at"],
    properties: {
      execution_id: { type: "string" }, workflow: { type: "string" }, state: executionState, events: { type: "integer" },
      created_at: { type: "string", format: "date-time" }, updated_at: { type: "string", format: "date-time" }, parent_id: { type: "string" },
    },
  },
  Page: { type: "object", required: ["executions"], properties: { executions: { type: "array", items: ref("Summary") }, next_cursor: { type: "string" } } },
  Events: {
    type: "object", required: ["execution_id", "state", "events"],
    properties: { execution_id: { type: "string" }, state: executionState, events: { type: "array", items: ref("Event") }, next_after: { type: "integer" } },
  },
  Check: {
    type: "object", required: ["execution_id", "workflow", "state", "result", "steps"],
    properties: {
      execution_id: { type: "string" }, workflow: { type: "string" }, state: executionState,
      result: { type: "string", enum: ["compatible", "divergent", "unchecked"] },
      divergence: { type: "string", description: "For divergent: the first step that differs, what was recorded and what the code calls now." },
      reason: { type: "string", description: "For unchecked: why the replay could not run." },
      steps: { type: "integer", description: "The recorded steps the replay returned from the history." },
    },
  },
  Error: {
    type: "object", required: ["error"],
    properties: { error: { type: "object", required: ["name", "code", "message"], properties: { name: { type: "string" }, code: { type: "string" }, message: { type: "string" }, id: { type: "string" }, execution_id: { type: "string" } } } },
  },
};

const errorResponses: Json = Object.fromEntries([
  [400, "Malformed body or parameter, or a value that cannot be recorded."], [401, "A bearer token is required (Authorization: Bearer <token>)."],
  [404, "Unknown workflow, execution or route."], [409, "Another run holds the execution, nothing to resume, or it ended."],
  [413, "The body is over the server's limit."], [500, "The server failed; the answer names the id it logged the details under."],
  [503, "The server is stopping; retry (Retry-After)."],
].map(([status, description]) => [`E${status}`, json(ref("Error"), description as string)]));

const paths: Json = {
  "/{workflow}": {
    post: {
      summary: "Run a workflow with the JSON body as input", parameters: [workflowParam, inspectParam,
        query("wait", { type: "boolean" }, "false: answer 202 once the start is durable, with a Location to inspect it."),
        query("execution_id", { type: "string" }, "The idempotency key: an execution of that id is answered as it stands.")],
      requestBody: jsonBody("The input."),
      responses: { 200: json(ref("Execution"), "Finished or paused."), 202: json(ref("Execution"), "Started (wait=false)."), ...errors(400, 401, 404, 409, 413, 500, 503) },
    },
  },
  "/{workflow}/{execution_id}": {
    post: {
      summary: "Resume a paused execution with the JSON body as the value of its pause", parameters: [workflowParam, idParam, inspectParam],
      requestBody: jsonBody("The value the pause returns."),
      responses: { 200: json(ref("Execution"), "Finished or paused again."), ...errors(400, 401, 404, 409, 413, 500, 503) },
    },
  },
  "/{workflow}/{execution_id}/events/{name}": {
    post: {
      summary: "Send a named event to an execution", parameters: [workflowParam, idParam, pathParam("name", "The event's name (ctx.waitForEvent(name)).")],
      requestBody: jsonBody("The event's payload."),
      responses: { 202: json({ type: "object", properties: { execution_id: { type: "string" }, name: { type: "string" }, seq: { type: "integer" }, time: { type: "string" } } }, "Durable in its inbox."), ...errors(400, 401, 404, 409, 413, 500, 503) },
    },
  },
  "/{workflow}/{execution_id}/cancel": {
    post: {
      summary: "Cancel an execution", parameters: [workflowParam, idParam],
      requestBody: jsonBody('A reason: a string, or { "reason": ... }.'),
      responses: { 200: json({ type: "object", properties: { execution_id: { type: "string" }, state: executionState, cancelled: { type: "boolean" } } }, "Cancelled, or it had ended (cancelled: false)."), ...errors(400, 401, 404, 409, 413, 500, 503) },
    },
  },
  "/inspect/{execution_id}": {
    get: {
      summary: "An execution as recorded, with a page of its events",
      parameters: [idParam,
        query("from", { type: "integer", minimum: 0 }, "The id of the first event to answer (default 0)."),
        query("limit", { type: "integer", minimum: 1, maximum: 10000 }, "How many events at most (default 1000).")],
      responses: { 200: json(ref("Execution"), "The execution."), ...errors(400, 401, 404, 500) },
    },
  },
  "/workflows": {
    get: { summary: "The registered workflows' names", responses: { 200: json({ type: "object", properties: { workflows: { type: "array", items: { type: "string" } } } }, "Their names."), ...errors(401, 500) } },
  },
  "/executions": {
    get: {
      summary: "Executions, newest first, filtered and paged",
      parameters: [query("workflow", { type: "string" }, "Only this workflow's."), query("state", executionState, "Only those in this state."),
        query("limit", { type: "integer", minimum: 1, maximum: 1000 }, "Page size (default 100)."), query("cursor", { type: "string" }, "The next_cursor of the previous page.")],
      responses: { 200: json(ref("Page"), "One page."), ...errors(400, 401, 500) },
    },
  },
  "/executions/{execution_id}/events": {
    get: {
      summary: "A page of an execution's events", parameters: [idParam, afterParam, encodingParam, query("limit", { type: "integer", minimum: 1, maximum: 1000 }, "At most this many (default 1000).")],
      responses: { 200: json(ref("Events"), "The events after `after`; next_after when more follow."), ...errors(400, 401, 404, 500) },
    },
  },
  "/executions/{execution_id}/stream": {
    get: {
      summary: "An execution's events, live (Server-Sent Events)", parameters: [idParam, afterParam, encodingParam,
        { name: "Last-Event-ID", in: "header", required: false, schema: { type: "integer" }, description: "Resume after this event id (sent by a reconnecting EventSource)." }],
      responses: {
        200: { description: "`event: event` per recorded event (id: its id, data: an Event); `event: end` (data: { execution_id, state }) once it ended; the stream then closes.", content: { "text/event-stream": { schema: { type: "string" } } } },
        ...errors(400, 401, 404, 500),
      },
    },
  },
  "/executions/{execution_id}/check": {
    get: {
      summary: "Replay an execution's history against the server's code, running nothing (what flux check does)", parameters: [idParam],
      responses: { 200: json(ref("Check"), "compatible, divergent (with the first divergence) or unchecked (with why)."), ...errors(400, 401, 404, 500) },
    },
  },
  "/health": {
    get: { summary: "Liveness: the server answers and its store reads (no token needed)", responses: { 200: json({ type: "object", properties: { status: { type: "string", enum: ["ok"] }, workflows: { type: "integer" } } }, "Healthy."), ...errors(500, 503) } },
  },
  "/openapi.json": {
    get: { summary: "This document (no token needed)", responses: { 200: json({ type: "object" }, "OpenAPI 3.1.") } },
  },
};

const dashboardPaths: Json = {
  "/": { get: { summary: "The dashboard (its page needs no token; everything it shows does)", responses: { 200: { description: "HTML.", content: { "text/html": { schema: { type: "string" } } } } } } },
  "/assets/{file}": {
    get: { summary: "The dashboard's scripts and styles", parameters: [pathParam("file", "A built asset's name.")], responses: { 200: { description: "The file." }, 404: { $ref: "#/components/responses/E404" } } },
  },
};

/**
 * The OpenAPI 3.1 document of the HTTP API that {@link createRouter} serves (at
 * `/openapi.json`): every route, its parameters, bodies and answers. With `dashboard`, the
 * dashboard's routes too. A test checks that it lists exactly the router's routes.
 */
export function openApiDocument(options: { readonly dashboard?: boolean } = {}): Json {
  return {
    openapi: "3.1.0",
    info: { title: "flux-ts", version: "1", description: "Durable workflows over HTTP: the seeds' API (run, resume, inspect) plus events, cancellation, listing and live streams. Errors are { error: { name, code, message } }." },
    components: {
      schemas, responses: errorResponses,
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "Required when the server has a token (FLUX_API_TOKEN)." } },
    },
    security: [{ bearer: [] }, {}],
    paths: options.dashboard === true ? { ...paths, ...dashboardPaths } : paths,
  };
}
