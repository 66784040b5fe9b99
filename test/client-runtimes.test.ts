/**
 * flux-ts/client where it is meant to run besides Node: in a page of Debian's Chromium
 * (playwright-core), and in a Worker in workerd (Miniflare) that reaches the server through a
 * service binding, both against a real `flux start` over a socket. The client is bundled from
 * src/client/ by Vite, as a user's bundler would (fetch only, no Node built-in).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build, type Rolldown } from "vite";
import { Miniflare, Response as WorkerResponse, type Request as WorkerRequest } from "miniflare";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repo, userProject } from "./cli-support.js";
import { startFlux, type FluxServer } from "./support/flux-server.js";

const CHROMIUM = "/usr/bin/chromium";
const token = "client-runtimes";
let server: FluxServer;

/**
 * What each runtime runs (as the source of an async function of `createClient`, `baseUrl`,
 * `token`, `fetch`, `greeting`): run, a pause resumed while its stream is read, list, inspect, check, and an
 * error answer.
 */
const scenario = `
  const flux = createClient({ baseUrl, token, ...(fetch === undefined ? {} : { fetch }) });
  const hello = await flux.run("hello_world", greeting);
  const paused = await flux.run("pause_workflow", undefined);
  const types = [];
  for await (const event of flux.stream(paused.execution_id)) {
    types.push(event.type);
    if (event.type === "WORKFLOW_PAUSED") await flux.resume("pause_workflow", paused.execution_id, "approved");
  }
  const listed = await flux.list({ workflow: "pause_workflow", limit: 1 });
  const inspected = await flux.inspect(paused.execution_id);
  const check = await flux.check(paused.execution_id);
  let error;
  try { await flux.inspect("no-such-execution"); } catch (e) { error = { name: e.name, status: e.status, code: e.code }; }
  return { hello: hello.output, paused: paused.state, types, listed: listed.executions[0].execution_id === paused.execution_id, output: inspected.output, check: check.result, error };
`;

function expectScenario(result: Record<string, unknown>, greeting: string): void {
  expect(result).toMatchObject({
    hello: `Hello, ${greeting}`, paused: "paused", listed: true, output: "Data processed and approved", check: "compatible",
    error: { name: "ExecutionNotFoundError", status: 404, code: "EXECUTION_NOT_FOUND" },
  });
  expect(result.types).toEqual(expect.arrayContaining(["WORKFLOW_STARTED", "WORKFLOW_PAUSED", "WORKFLOW_RESUMED", "WORKFLOW_COMPLETED"]));
}

/** `contents` (an entry that may import ./src/...) bundled by Vite for the browser, as one file. */
async function bundle(format: "iife" | "es", contents: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "flux-client-bundle-"));
  try {
    const entry = join(dir, "entry.js");
    writeFileSync(entry, contents.replaceAll("./src/", `${repo}src/`));
    const out = await build({
      configFile: false, logLevel: "silent",
      build: { write: false, target: "es2022", minify: false, lib: { entry, formats: [format], name: "FluxClient", fileName: "client" } },
    }) as Rolldown.RolldownOutput[] | Rolldown.RolldownOutput;
    const output = (Array.isArray(out) ? out[0]! : out).output[0];
    return output.code;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  server = await startFlux(join(repo, "examples"), userProject(), [], { FLUX_API_TOKEN: token });
}, 60_000);
// (startFlux's own afterAll, registered inside beforeAll, does not run: the server is stopped here.)
afterAll(() => void server?.child.kill("SIGKILL"));

describe("flux-ts/client in other runtimes, against flux start", () => {
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
  });

  it("works in a page of Chromium (fetch, streams, errors)", async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with apt-get install -y chromium`);
    const client = await bundle("iife", 'export * from "./src/client/index.ts";');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
    const page = await browser.newPage();
    // A page of the server's own origin (as the dashboard is), served by the test.
    await page.route(`${server.url}/client-page`, (route) => route.fulfill({ contentType: "text/html", body: "<!doctype html><title>client</title>" }));
    await page.goto(`${server.url}/client-page`);
    await page.addScriptTag({ content: client });
    const result = await page.evaluate(async ({ source, token }) => {
      const { createClient } = (window as unknown as { FluxClient: { createClient: unknown } }).FluxClient;
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      const run = new Function("createClient", "baseUrl", "token", "fetch", "greeting", `return (async () => {${source}})();`);
      return run(createClient, location.origin, token, undefined, "Chromium") as Promise<Record<string, unknown>>;
    }, { source: scenario, token });
    expectScenario(result, "Chromium");
  }, 60_000);

  it("works in a Worker in workerd, through a service binding to the server", async () => {
    const script = await bundle("es", `
      import { createClient } from "./src/client/index.ts";
      export default {
        async fetch(request, env) {
          const baseUrl = "http://flux.internal/";
          const fetch = (r) => env.FLUX.fetch(r);
          const token = env.TOKEN;
          const greeting = "workerd";
          const result = await (async () => {${scenario}})();
          return Response.json(result);
        },
      };
    `);
    const target = new URL(server.url);
    const mf = new Miniflare({
      modules: true, script, compatibilityDate: "2025-01-01", bindings: { TOKEN: token },
      // The binding forwards the Worker's requests to flux start, as a service binding to another Worker would.
      serviceBindings: {
        FLUX: async (request: WorkerRequest) => {
          const url = new URL(request.url);
          url.protocol = target.protocol;
          url.host = target.host;
          const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
          const answer = await fetch(url, { method: request.method, headers: [...request.headers], ...(body === undefined ? {} : { body }) });
          return new WorkerResponse(answer.body as never, { status: answer.status, headers: [...answer.headers] });
        },
      },
    });
    try {
      const response = await mf.dispatchFetch("http://localhost/");
      expectScenario(await response.json() as Record<string, unknown>, "workerd");
    } finally {
      await mf.dispose();
    }
  }, 60_000);
});
