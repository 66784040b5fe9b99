import { errorClassFor } from "./error-classes.js";
import { SerializationError } from "./errors.js";
import { StoredBlob } from "./blobs/stored-blob.js";

const TAG = "$flux";
const plainPrototypes = new Set<object | null>([Object.prototype, null]);
/** How deep objects and arrays may nest in a recorded value (deeper would overflow the stack on some runtimes). */
export const MAX_DEPTH = 1_000;

/**
 * The JSON text that records `value`. Throws {@link SerializationError} naming the path of the
 * first part that cannot be recorded (a function, a class instance, NaN, a bigint, a cycle...),
 * so nothing corrupt is ever stored. `redact` replaces every occurrence of the given strings
 * (in string values, object keys, and error names, messages and stacks) with `[secret]`.
 */
export function encodeValue(value: unknown, what = "value", redact?: readonly string[]): string {
  return JSON.stringify(toJson(value, what, new Set(), redact));
}

/** The value that {@link encodeValue} recorded, with Dates and Errors rebuilt. */
export function decodeValue(text: string): unknown {
  return fromJson(JSON.parse(text));
}

function toJson(value: unknown, path: string, seen: Set<object>, redact: readonly string[] | undefined): unknown {
  switch (typeof value) {
    case "string":
      return redact === undefined ? value : redactString(value, redact);
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value)) fail(path, `the number ${value} (JSON has no NaN or Infinity)`);
      return Object.is(value, -0) ? { [TAG]: "-0" } : value;
    case "undefined":
      return { [TAG]: "undefined" };
    case "bigint":
      fail(path, "a bigint (convert it to a string or number)");
    case "function":
      fail(path, "a function");
    case "symbol":
      fail(path, "a symbol");
  }
  if (value === null) return null;
  const object = value as object;
  if (seen.has(object)) fail(path, "a circular reference");
  // `seen` holds exactly the objects on the path from the root: its size is the depth.
  if (seen.size >= MAX_DEPTH) fail(path.length > 200 ? `${path.slice(0, 200)}…` : path, `nested more than ${MAX_DEPTH} levels deep`);
  seen.add(object);
  try {
    if (Array.isArray(object)) {
      const out: unknown[] = new Array(object.length);
      // A hole is recorded as a hole (JSON would make it null): the replay returns what the run saw.
      for (let i = 0; i < object.length; i += 1) out[i] = i in object ? toJson(object[i], `${path}[${i}]`, seen, redact) : HOLE;
      return out;
    }
    if (object instanceof Date) {
      if (Number.isNaN(object.getTime())) fail(path, "an invalid Date");
      return { [TAG]: "date", v: object.toISOString() };
    }
    if (object instanceof Error) return encodeError(object, path, seen, redact);
    if (!plainPrototypes.has(Object.getPrototypeOf(object))) {
      fail(path, `an instance of ${object.constructor?.name ?? "a class"} (record plain objects, arrays, Dates or Errors)`);
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(object)) setOwn(out, redact === undefined ? key : redactString(key, redact), toJson(item, `${path}.${key}`, seen, redact));
    return Object.hasOwn(out, TAG) ? { [TAG]: "object", v: out } : out;
  } finally {
    seen.delete(object);
  }
}

function encodeError(error: Error, path: string, seen: Set<object>, redact: readonly string[] | undefined): unknown {
  const props: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(error)) {
    if (key === "cause" || key === "name") continue;
    try {
      setOwn(props, redact === undefined ? key : redactString(key, redact), toJson(item, `${path}.${key}`, seen, redact));
    } catch {
      // A property that cannot be recorded is left out rather than losing the whole error.
    }
  }
  const text = (s: string | undefined) => (s === undefined || redact === undefined ? s : redactString(s, redact));
  return {
    [TAG]: "error",
    name: text(error.name),
    message: text(error.message),
    stack: text(error.stack),
    ...(error.cause !== undefined ? { cause: toJson(error.cause, `${path}.cause`, seen, redact) } : {}),
    ...(Object.keys(props).length > 0 ? { props } : {}),
  };
}

function fromJson(json: unknown): unknown {
  if (json === null || typeof json !== "object") return json;
  if (Array.isArray(json)) {
    const out: unknown[] = new Array(json.length);
    for (let i = 0; i < json.length; i += 1) {
      const item: unknown = json[i];
      if (!isHole(item)) out[i] = fromJson(item);
    }
    return out;
  }
  const record = json as Record<string, unknown>;
  switch (Object.hasOwn(record, TAG) ? record[TAG] : undefined) {
    case undefined:
      break;
    case "undefined":
      return undefined;
    case "-0":
      return -0;
    case "date":
      return new Date(String(record.v));
    case "object":
      return decodeObject(record.v as Record<string, unknown>);
    case "error":
      return decodeError(record);
    case "blob":
      return new StoredBlob(String(record.key), Number(record.size));
    default:
      throw new SerializationError(`cannot decode a recorded value tagged ${JSON.stringify(record[TAG])}: it was written by a newer version of flux-ts`);
  }
  return decodeObject(record);
}

function decodeObject(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) setOwn(out, key, fromJson(item));
  return out;
}

/** Sets an own, enumerable property, even one named `__proto__` (which `out[key] =` would turn into a prototype change). */
function setOwn(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

const HOLE = Object.freeze({ [TAG]: "hole" });

function isHole(item: unknown): boolean {
  return typeof item === "object" && item !== null && !Array.isArray(item) && (item as Record<string, unknown>)[TAG] === "hole" && Object.keys(item).length === 1;
}

function decodeError(record: Record<string, unknown>): Error {
  const name = String(record.name ?? "Error");
  const message = String(record.message ?? "");
  const cause = record.cause === undefined ? undefined : fromJson(record.cause);
  const ErrorClass = errorClassFor(name) ?? Error;
  let error: Error;
  try {
    error = new ErrorClass(message, cause === undefined ? undefined : { cause });
  } catch {
    error = new Error(message, cause === undefined ? undefined : { cause });
  }
  const props = (record.props ?? {}) as Record<string, unknown>;
  for (const [key, item] of Object.entries(props)) {
    Object.defineProperty(error, key, { value: fromJson(item), enumerable: true, writable: true, configurable: true });
  }
  if (error.name !== name) Object.defineProperty(error, "name", { value: name, enumerable: false, writable: true, configurable: true });
  if (cause !== undefined && error.cause === undefined) {
    Object.defineProperty(error, "cause", { value: cause, enumerable: false, writable: true, configurable: true });
  }
  if (typeof record.stack === "string") {
    Object.defineProperty(error, "stack", { value: record.stack, enumerable: false, writable: true, configurable: true });
  }
  return error;
}

function redactString(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join("[secret]");
  return out;
}

function fail(path: string, what: string): never {
  throw new SerializationError(`${path} cannot be recorded: it is ${what}. Steps record JSON values, Dates and Errors only.`);
}
