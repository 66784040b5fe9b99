/** A JSON value, as sent over the wire. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * `value` as plain JSON for an HTTP response or the CLI's output: Dates become ISO strings,
 * Errors `{ name, message, code?, ...own properties, cause? }` (no stack: it would show the
 * server's paths), `undefined` becomes `null` in arrays and is left out of objects (as
 * `JSON.stringify` does), and a circular reference becomes the string `"[Circular]"`.
 *
 * @example
 * toWire({ at: new Date(0), error: new TypeError("bad") });
 * // { at: "1970-01-01T00:00:00.000Z", error: { name: "TypeError", message: "bad" } }
 */
export function toWire(value: unknown): JsonValue {
  return convert(value, new Set()) ?? null;
}

function convert(value: unknown, seen: Set<object>): JsonValue | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : null;
    case "bigint":
      return value.toString();
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (value === null) return null;
  const object = value as object;
  if (seen.has(object)) return "[Circular]";
  seen.add(object);
  try {
    if (Array.isArray(object)) return object.map((item) => convert(item, seen) ?? null);
    if (object instanceof Date) return Number.isNaN(object.getTime()) ? null : object.toISOString();
    if (object instanceof Error) return convertError(object, seen);
    const out: { [key: string]: JsonValue } = {};
    for (const [key, item] of Object.entries(object)) {
      const converted = convert(item, seen);
      if (converted !== undefined) setOwn(out, key, converted);
    }
    return out;
  } finally {
    seen.delete(object);
  }
}

function convertError(error: Error, seen: Set<object>): JsonValue {
  const out: { [key: string]: JsonValue } = { name: error.name, message: error.message };
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") out["code"] = code;
  for (const [key, item] of Object.entries(error)) {
    if (key === "cause" || key === "stack" || key in out) continue;
    const converted = convert(item, seen);
    if (converted !== undefined) setOwn(out, key, converted);
  }
  if (error.cause !== undefined) out["cause"] = convert(error.cause, seen) ?? null;
  return out;
}

/** Sets an own property, even one named `__proto__` (which `out[key] =` would turn into a prototype change). */
function setOwn(out: { [key: string]: JsonValue }, key: string, value: JsonValue): void {
  if (key === "__proto__") Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}
