/**
 * `flux-ts/hono`: the HTTP API of the seeds as a Hono router, the same in Node (`flux start`),
 * a Cloudflare Worker and tests.
 *
 * @example
 * import { Engine } from "flux-ts";
 * import { createRouter } from "flux-ts/hono";
 * const app = createRouter(new Engine({ workflows: [helloWorld] }));
 */
export { createRouter, defaultBodyLimit, type RouterOptions } from "./router.js";
export { executionJson, eventJson, summaryJson, pageJson, type ExecutionJson, type EventJson, type SummaryJson, type PageJson } from "./execution-json.js";
export { toWire, type JsonValue } from "./wire.js";
export { statusOf, errorJson, type ErrorStatus, type ErrorJson } from "./error-status.js";
export { timingSafeEqual, hasBearerToken } from "./auth.js";
export { MalformedRequestError, PayloadTooLargeError, UnauthorizedError, RouteNotFoundError } from "./http-errors.js";
export { openApiDocument } from "./openapi.js";
export { eventStream, storedEventJson, type EventStreamOptions, type ValueEncoding } from "./event-stream.js";
export { executionStates, listOptions, afterEventId, inspectOptions } from "./list-query.js";
export { inspectJson, inspectJsonStream, REPEAT_REF_MIN, type InspectJson } from "./inspect-json.js";
export { assetResponse, contentType, type DashboardAssets } from "./dashboard-assets.js";
