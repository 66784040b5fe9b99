import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { FluxError } from "../errors.js";
import { MalformedRequestError, PayloadTooLargeError } from "./http-errors.js";

/**
 * The deepest nesting of arrays and objects accepted in a JSON body. Deeper values could not be
 * recorded (encoding them would exhaust the stack), so they are refused up front with a 400.
 */
export const maxJsonDepth = 512;

/**
 * True when the JSON text `text` nests arrays and objects more than `limit` levels deep. One
 * pass, no recursion, stops at the first level past the limit; brackets inside strings do not count.
 *
 * @example
 * nestsDeeperThan("[[1]]", 1); // true
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/**
 * The request body size limit of the API: a body over `limit` bytes is refused with
 * `PayloadTooLargeError` (413); a body that cannot be read at all (the client closed the
 * connection mid-body) with `MalformedRequestError` (400), not as a server failure.
 */
export function limitBody(limit: number): MiddlewareHandler {
  const limited = bodyLimit({
    maxSize: limit,
    onError: () => {
      throw new PayloadTooLargeError(`the request body is larger than this server's limit of ${limit} bytes: send a smaller input, or raise the limit (bodyLimit)`);
    },
  });
  return async (c, next) => {
    let handled = false;
    try {
      await limited(c, async () => {
        handled = true;
        await next();
      });
    } catch (error) {
      if (handled || error instanceof FluxError) throw error;
      throw unreadable(error);
    }
  };
}

/**
 * The request's JSON body (`undefined` when empty). Throws `MalformedRequestError` (400) when it
 * cannot be read, is not JSON, or nests deeper than {@link maxJsonDepth}.
 */
export async function readJson(c: Context): Promise<unknown> {
  let text: string;
  try {
    text = await c.req.text();
  } catch (error) {
    if (error instanceof FluxError) throw error;
    throw unreadable(error);
  }
  if (text.trim() === "") return undefined;
  if (nestsDeeperThan(text, maxJsonDepth)) {
    throw new MalformedRequestError(`the request body nests arrays or objects more than ${maxJsonDepth} levels deep: send a flatter value`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new MalformedRequestError(`the request body is not valid JSON (${reason}): send one JSON value, e.g. --header 'Content-Type: application/json' --data '"World"' (a string needs its quotes)`);
  }
}

function unreadable(error: unknown): MalformedRequestError {
  const reason = error instanceof Error ? error.message : String(error);
  return new MalformedRequestError(`the request body could not be read (${reason}): the client closed the connection before sending all of it`, { cause: error });
}
