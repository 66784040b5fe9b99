// Malformed and odd HTTP requests for the API fuzz test, drawn from a seeded PRNG so that a
// failing run can be replayed with its seed.

/** A request sent with node:http (method, path and headers valid for its client). */
export interface HttpCase {
  readonly kind: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
}

/** Bytes written as they are to a fresh TCP connection (what node:http would refuse to send). */
export interface RawCase {
  readonly kind: "raw";
  readonly bytes: Buffer;
}

export type FuzzCase = HttpCase | RawCase;

/** The workflows the fuzzed server serves, and ids of paused executions to resume. */
export interface FuzzTargets {
  readonly workflows: readonly string[];
  readonly pausedIds: readonly string[];
}

type Random = () => number;

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const int = (random: Random, min: number, max: number) => min + Math.floor(random() * (max - min + 1));

const oddStrings = [
  "", " ", "\u0000", "\u202e\u0645\u0631\u062d\u0628\u0627", "😀🚀", "\ud800", "\udfff\ud800", "é", "\u00ff\u00fe", "a\nb", "\t",
  "../../etc/passwd", "..\\..\\windows\\win.ini", "%00", "<script>alert(1)</script>", "' OR 1=1 --", "${process.env}",
  "__proto__", "constructor", "prototype", "null", "undefined", "NaN", "-0", "1e400",
];

/** A random JSON value (depth ≤ `depth`): odd strings, big and small numbers, nesting. */
function jsonValue(random: Random, depth: number): unknown {
  const roll = random();
  if (depth <= 0 || roll < 0.45) {
    switch (int(random, 0, 6)) {
      case 0: return pick(random, oddStrings);
      case 1: return pick(random, [0, -0, 1e308, -1e308, 5e-324, 2 ** 53 + 1, -1, 3.14]);
      case 2: return pick(random, [true, false, null]);
      case 3: return "x".repeat(int(random, 0, 2000));
      case 4: return String.fromCharCode(...Array.from({ length: int(random, 1, 20) }, () => int(random, 0, 0xffff)));
      default: return pick(random, oddStrings) + String(int(random, 0, 1e6));
    }
  }
  if (roll < 0.75) return Array.from({ length: int(random, 0, 5) }, () => jsonValue(random, depth - 1));
  const object: Record<string, unknown> = {};
  for (let i = int(random, 0, 5); i > 0; i--) object[pick(random, oddStrings) + String(i)] = jsonValue(random, depth - 1);
  if (random() < 0.2) object["__proto__"] = { polluted: true };
  return object;
}

function badJson(random: Random): string {
  const valid = JSON.stringify(jsonValue(random, 3)) ?? "null";
  switch (int(random, 0, 9)) {
    case 0: return valid.slice(0, Math.max(1, int(random, 0, valid.length - 1)));
    case 1: return `${valid}${pick(random, ["}", "]", ",", "garbage", "\u0000", " 1"])}`;
    case 2: return pick(random, ["{'a': 1}", "NaN", "Infinity", "undefined", "[1,]", "{\"a\":1,}", "01", "\"\\x41\"", "\"\\u12\"", "tru", "{\"a\" 1}", "[[[", "]]]"]);
    case 3: return `\ufeff${valid}`;
    case 4: return `"${"a".repeat(int(random, 1, 100))}`;
    case 5: return String.fromCharCode(...Array.from({ length: int(random, 1, 200) }, () => int(random, 0, 255)));
    case 6: return `{"a":${"[".repeat(int(random, 1, 50))}`;
    case 7: return valid.replace(/"/g, "'");
    case 8: return `/* comment */ ${valid}`;
    default: return `${valid}\n${valid}`;
  }
}

/** JSON nested `depth` levels deep (arrays or objects): valid, just very deep. */
export function deepJson(depth: number, objects: boolean): string {
  return objects ? `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}` : `${"[".repeat(depth)}${"]".repeat(depth)}`;
}

/** `text` percent-encoded byte by byte (lone surrogates become U+FFFD, as in UTF-8 they must). */
function percent(text: string): string {
  return [...Buffer.from(text, "utf8")].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, "0")}`)).join("");
}

function oddSegment(random: Random): string {
  switch (int(random, 0, 7)) {
    case 0: return percent(pick(random, oddStrings));
    case 1: return pick(random, ["..", ".", "%2e%2e", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..%2f..%2f.flux%2fflux.db", "%252e%252e", "%c0%ae%c0%ae", "%5c..%5c"]);
    case 2: return pick(random, ["%", "%zz", "%E0%A4%A", "%ff%fe", "%00", "%u0041", "%%%"]);
    case 3: return "a".repeat(int(random, 200, 4000));
    case 4: return pick(random, ["inspect", "workflows", "__proto__", "constructor", "hello_world", "pause_workflow", "echo", "INSPECT", "Hello_World"]);
    case 5: return crypto.randomUUID();
    case 6: return Array.from({ length: int(random, 1, 12) }, () => pick(random, ["a", "Z", "9", "-", "_", ".", ":", "~", "!", "$", "&", "'", "(", ")", "*", "+", ",", ";", "=", "@"])).join("");
    default: return "";
  }
}

function oddPath(random: Random, targets: FuzzTargets): string {
  const segments = Array.from({ length: int(random, 0, 5) }, () => (random() < 0.3 ? pick(random, targets.workflows) : oddSegment(random)));
  let path = `/${segments.join(pick(random, ["/", "/", "/", "//", "/./", "/../"]))}`;
  if (random() < 0.3) path += `?${oddQuery(random)}`;
  if (random() < 0.05) path += `#${oddSegment(random)}`;
  return random() < 0.1 ? `/../..${path}` : path;
}

function oddQuery(random: Random): string {
  const keys = ["wait", "inspect", "wait", "inspect", "x", "", "__proto__", "wait[]", "inspect.a"];
  const values = ["true", "false", "1", "0", "", "maybe", "%ff", "TRUE", "null", "%00", "a".repeat(3000), "true&wait=false"];
  return Array.from({ length: int(random, 1, 4) }, () => `${pick(random, keys)}=${pick(random, values)}`).join(pick(random, ["&", "&", ";", "&&"]));
}

const rawCases: readonly ((random: Random) => string | Buffer)[] = [
  () => "GARBAGE\r\n\r\n",
  () => "GET / HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n",
  () => "GET /workflows HTTP/1.1\r\nHost: x\r\nX: a\u0000b\r\n\r\n",
  () => "POST /hello_world HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
  () => "POST /hello_world HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n",
  () => "POST /hello_world HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
  () => "POST /hello_world HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2\r\n\r\n\"",
  () => "POST /hello_world HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n\"short",
  () => "POST /hello_world HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n\"short\r\n", // never finished
  () => "GET /inspect/x HTTP/1.1\r\nHost: x\r\n", // never finished
  () => Buffer.from("GET /h\u00e9llo/\u{1f600} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "utf8"),
  () => "GET /inspect/a b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
  () => "GET \\..\\..\\etc\\passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
  () => "GET ../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
  () => "GET http://127.0.0.1/workflows HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
  () => "GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
  () => "GET / HTTP/1.1\r\n\r\n",
  () => "GET /workflows HTTP/1.0\r\n\r\n",
  () => "GET /workflows\r\n\r\n",
  () => `GET /${"a".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
  () => `GET /workflows HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(20_000)}\r\n\r\n`,
  () => "GET /workflows HTTP/1.1\r\nHost: x\r\n\r\nGET /inspect/nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
  () => "POST /hello_world HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\nConnection: close\r\n\r\n\"World\"",
  (random) => Buffer.from(Array.from({ length: int(random, 1, 300) }, () => int(random, 0, 255))),
  () => "\r\n\r\n\r\n",
  () => "DELETE /hello_world HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
  () => "POST /hello_world HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 7\r\nConnection: close\r\n\r\n\"World\"",
  () => "POST /hello_world HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
];

/** The `count` requests of a fuzz run with `random`, against `targets`. */
export function fuzzCases(random: Random, count: number, targets: FuzzTargets): FuzzCase[] {
  return Array.from({ length: count }, () => fuzzCase(random, targets));
}

function post(kind: string, path: string, body: string | Buffer, headers: Record<string, string> = { "Content-Type": "application/json" }): HttpCase {
  return { kind, method: "POST", path, headers, body: Buffer.isBuffer(body) ? body : Buffer.from(body, "utf8") };
}

function fuzzCase(random: Random, targets: FuzzTargets): FuzzCase {
  const workflow = () => pick(random, targets.workflows);
  const roll = random();
  if (roll < 0.2) return post("bad-json", `/${workflow()}`, badJson(random));
  if (roll < 0.33) return post("json", `/${workflow()}${random() < 0.2 ? "?wait=false" : ""}`, JSON.stringify(jsonValue(random, 6)) ?? "null");
  if (roll < 0.38) return post("deep-json", `/${pick(random, ["echo", "hello_world", "pause_workflow"])}`, deepJson(int(random, 300, 200_000), random() < 0.5));
  if (roll < 0.385) {
    const size = random() < 0.6 ? int(random, 1024 * 1024 + 1, 3 * 1024 * 1024) : int(random, 1, 900_000);
    return post("huge", `/${pick(random, ["hello_world", "echo"])}`, JSON.stringify("x".repeat(size)));
  }
  if (roll < 0.52) {
    const method = pick(random, ["GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "FOO", "PROPFIND", "get", "Post"]);
    const path = pick(random, [`/${workflow()}`, "/workflows", "/inspect/x", `/${workflow()}/${pick(random, targets.pausedIds)}`, "/"]);
    const body = random() < 0.5 ? Buffer.from('"World"') : undefined;
    return { kind: "method", method, path, headers: {}, ...(body === undefined ? {} : { body }) };
  }
  if (roll < 0.67) {
    const method = pick(random, ["GET", "POST", "POST", "HEAD"]);
    return { kind: "path", method, path: oddPath(random, targets), headers: {}, ...(method === "POST" ? { body: Buffer.from(JSON.stringify(jsonValue(random, 2)) ?? "null") } : {}) };
  }
  if (roll < 0.8) {
    const id = random() < 0.4 ? pick(random, targets.pausedIds) : oddSegment(random);
    if (random() < 0.4) return { kind: "id", method: "GET", path: `/inspect/${id}`, headers: {} };
    return post("id", `/${workflow()}/${id}`, JSON.stringify(jsonValue(random, 2)) ?? "null");
  }
  if (roll < 0.86) return post("query", `/${workflow()}?${oddQuery(random)}`, '"World"');
  if (roll < 0.95) {
    const headers = pick<Record<string, string>>(random, [
      { "Content-Type": "text/plain" },
      { "Content-Type": "application/json; charset=utf-16" },
      { "Content-Type": "multipart/form-data; boundary=x" },
      { "Content-Type": "application/x-www-form-urlencoded" },
      { "Content-Encoding": "gzip", "Content-Type": "application/json" },
      { "Content-Encoding": "br" },
      { Authorization: "Bearer " + "x".repeat(int(random, 0, 5000)) },
      { Authorization: "Basic Og==" },
      { "X-Forwarded-For": "127.0.0.1, ::1" },
      { Cookie: "a=".repeat(500) },
      { "Transfer-Encoding": "chunked" },
      { "X-Huge": "h".repeat(20_000) },
      { Accept: "text/html" },
      { Host: "" },
    ]);
    return post("headers", `/${workflow()}`, random() < 0.5 ? '"World"' : badJson(random), headers);
  }
  return { kind: "raw", bytes: Buffer.from(pick(random, rawCases)(random) as string | Buffer) };
}
