// What the HTTP fuzz found, pinned down: JSON nested too deeply for the encoder (was a 500), a body
// the client stopped sending (was a 500 logged as a server failure), and a keep-alive connection
// reset after a response sent before the body was read (the client's next request failed).
import { Agent, request } from "node:http";
import { afterAll, describe, expect, it, vi } from "vitest";
import { listen } from "../adapters/node/node-server.js";
import { Engine, MemoryStore, workflow } from "../src/index.js";
import { createRouter } from "../src/http/index.js";
import { maxJsonDepth, nestsDeeperThan } from "../src/http/request-body.js";
import { helloWorld } from "../examples/hello_world.js";

const echo = workflow("echo", async (ctx) => ctx.input);

function setup() {
  return createRouter(new Engine({ store: new MemoryStore(), workflows: [helloWorld, echo] }));
}

describe("deeply nested JSON bodies", () => {
  it("counts nesting in one pass, ignoring brackets inside strings", () => {
    expect(nestsDeeperThan("[[1]]", 1)).toBe(true);
    expect(nestsDeeperThan("[[1]]", 2)).toBe(false);
    expect(nestsDeeperThan('["[[[[", {"a": "\\"[[["}]', 2)).toBe(false);
    expect(nestsDeeperThan('{"a":[{"b":[]}]}', 3)).toBe(true);
    expect(nestsDeeperThan(`${"[".repeat(1_000_000)}`, maxJsonDepth)).toBe(true);
  });

  it(`are refused with 400 past ${maxJsonDepth} levels, and recorded up to it`, async () => {
    const app = setup();
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      for (const depth of [maxJsonDepth + 1, 5_000, 40_000]) {
        for (const body of [`${"[".repeat(depth)}${"]".repeat(depth)}`, `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`]) {
          const res = await app.request("/echo", { method: "POST", body });
          expect(res.status).toBe(400);
          expect(await res.json()).toMatchObject({ error: { code: "MALFORMED_REQUEST", message: expect.stringContaining(`more than ${maxJsonDepth} levels deep`) } });
        }
      }
      const deepest = `${"[".repeat(maxJsonDepth)}${"]".repeat(maxJsonDepth)}`;
      const res = await app.request("/echo", { method: "POST", body: deepest });
      expect(res.status).toBe(200);
      expect(JSON.stringify((await res.json() as { output: unknown }).output)).toBe(deepest);
      expect(errors).not.toHaveBeenCalled();
    } finally {
      errors.mockRestore();
    }
  });
});

describe("a body the client stops sending", () => {
  const failing = () => new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('"Wor'));
    },
    pull(controller) {
      controller.error(new Error("aborted"));
    },
  });

  it("is a 400, not a server failure, with or without a Content-Length", async () => {
    const app = setup();
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      for (const headers of [{ "Content-Length": "7" }, {}]) {
        const req = new Request("http://localhost/hello_world", { method: "POST", headers, body: failing(), duplex: "half" } as RequestInit);
        const res = await app.request(req);
        expect(res.status).toBe(400);
        expect(await res.json()).toMatchObject({ error: { code: "MALFORMED_REQUEST", message: expect.stringContaining("could not be read (aborted)") } });
      }
      expect(errors).not.toHaveBeenCalled();
    } finally {
      errors.mockRestore();
    }
  });
});

describe("keep-alive connections after a response sent before the body was read", () => {
  const servers: { close(): Promise<void> }[] = [];
  afterAll(async () => Promise.all(servers.map((s) => s.close())));

  it("stay usable: the next request on the same connection is answered", async () => {
    const server = await listen(setup().fetch, "127.0.0.1", 0);
    servers.push(server);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    const send = (method: string, path: string, body?: Buffer) => new Promise<number | string>((resolve) => {
      const headers = body === undefined ? {} : { "Content-Length": String(body.length) };
      const req = request({ host: "127.0.0.1", port: server.port, agent, method, path, headers }, (res) => {
        sockets.add(res.socket);
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      });
      req.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      req.end(body);
    });
    const big = Buffer.alloc(400_000, 0x5b);
    const answered: (number | string)[] = [];
    for (const [method, path, body] of [
      ["POST", "/no_such_workflow", big], // 404 before the body is read
      ["POST", "/inspect/x", big], // no such route
      ["POST", "/hello_world", Buffer.alloc(1_500_000, 0x5b)], // 413 from the Content-Length
      ["GET", "/workflows", Buffer.from('"World"')],
    ] as const) {
      answered.push(await send(method, path, body), await send("GET", "/workflows"));
    }
    agent.destroy();
    expect(answered).toEqual([404, 200, 404, 200, 413, 200, 200, 200]);
    expect(sockets.size).toBe(1); // all on one kept-alive connection
  });
});
