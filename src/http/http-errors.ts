import { FluxError } from "../errors.js";

/** The request cannot be read: its body is not JSON, or a query parameter has a bad value (HTTP 400). */
export class MalformedRequestError extends FluxError {
  override readonly code: string = "MALFORMED_REQUEST";
  override name = "MalformedRequestError";
}

/** The request body is larger than the server's limit (HTTP 413). */
export class PayloadTooLargeError extends FluxError {
  override readonly code: string = "PAYLOAD_TOO_LARGE";
  override name = "PayloadTooLargeError";
}

/** The server requires a bearer token and the request had none, or a wrong one (HTTP 401). */
export class UnauthorizedError extends FluxError {
  override readonly code: string = "UNAUTHORIZED";
  override name = "UnauthorizedError";
}

/** No route matches the request's method and path (HTTP 404). */
export class RouteNotFoundError extends FluxError {
  override readonly code: string = "ROUTE_NOT_FOUND";
  override name = "RouteNotFoundError";
}
