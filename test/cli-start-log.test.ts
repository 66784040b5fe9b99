/**
 * `flux start` logs one line per request: method, path, status, ms and the execution id, as text
 * for people (in-process, through the same wrapper) and as JSON lines with --log json (a real
 * server over a socket).
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { logRequests } from "../adapters/node/request-log.js";
import { Engine, MemoryStore } from "../src/index.js";
import { createRouter } from "../src/http/index.js";
import { helloWorld } from "../examples/hello_world.js";
import { pauseWorkflow } from "../examples/pause.js";
import { repo, userProject } from "./cli-support.js";
import { startFlux } from "./support/flux-server.js";

describe("flux start's request log", () => {
  it("writes a line per request with the execution id, from the path or the run's answer", async () => {
    const lines: string[] = [];
    const app = createRouter(new Engine({ store: new MemoryStore(), workflows: [helloWorld, pauseWorkflow] }));
    const fetch = logRequests(app.fetch, "text", (line) => lines.push(line));
    const ran = await (await fetch(new Request("http://x/pause_workflow?inspect=true", { method: "POST" }))).json() as { execution_id: string };
    await fetch(new Request(`http://x/pause_workflow/${ran.execution_id}`, { method: "POST", body: '"ok"' }));
    await fetch(new Request(`http://x/inspect/${ran.execution_id}`));
    await fetch(new Request("http://x/nowhere/at/all"));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(new RegExp(`^POST /pause_workflow 200 \\d+ ms ${ran.execution_id}\\n$`));
    expect(lines[1]).toMatch(new RegExp(`^POST /pause_workflow/${ran.execution_id} 200 \\d+ ms ${ran.execution_id}\\n$`));
    expect(lines[2]).toMatch(new RegExp(`^GET /inspect/${ran.execution_id} 200 \\d+ ms ${ran.execution_id}\\n$`));
    expect(lines[3]).toMatch(/^GET \/nowhere\/at\/all 404 \d+ ms\n$/);
    const silent: string[] = [];
    await logRequests(app.fetch, "off", (line) => silent.push(line))(new Request("http://x/health"));
    expect(silent).toEqual([]);
  });

  it("logs JSON lines with --log json, and refuses an unknown format", async () => {
    const server = await startFlux(join(repo, "examples"), userProject(), ["--log", "json"]);
    const answer = await (await fetch(`${server.url}/hello_world?token=not-logged`, { method: "POST", body: '"World"' })).json() as { execution_id: string };
    await expect.poll(() => server.output().includes('"path":"/hello_world"'), { timeout: 10_000 }).toBe(true);
    const line = server.output().split("\n").find((l) => l.includes('"path":"/hello_world"'))!;
    expect(JSON.parse(line)).toMatchObject({ method: "POST", path: "/hello_world", status: 200, execution_id: answer.execution_id, ms: expect.any(Number), time: expect.any(String) });
    expect(line).not.toContain("not-logged");
    server.child.kill("SIGTERM");
    await server.exited;
    await expect(startFlux(join(repo, "examples"), userProject(), ["--log", "xml"])).rejects.toThrow(/--log needs text/);
  });
});
