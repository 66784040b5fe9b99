import { execFile, spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteStore } from "../adapters/sqlite/index.js";
import { encodeValue } from "../src/serialization.js";
import { fluxBin, repo, userProject } from "./cli-support.js";

/** A port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once("error", reject).listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Started {
  readonly child: ChildProcess;
  readonly port: number;
  output(): string;
  exited: Promise<number | null>;
}

/** `flux start examples --port P` in `cwd`, resolved once it says it is serving. */
async function start(cwd: string, env: NodeJS.ProcessEnv = {}, extra: string[] = []): Promise<Started> {
  const port = await freePort();
  const child = spawn(process.execPath, [fluxBin, "start", join(repo, "examples"), "--port", String(port), ...extra], {
    cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (chunk: Buffer) => { out += chunk.toString(); });
  child.stderr!.on("data", (chunk: Buffer) => { out += chunk.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  afterAll(() => { child.kill("SIGKILL"); });
  const deadline = Date.now() + 20_000;
  while (!out.includes(`on http://127.0.0.1:${port}`)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`flux start did not come up:\n${out}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, port, output: () => out, exited };
}

/** Runs a shell command line (a curl command, quoted exactly as in the docs) and returns its stdout. */
function sh(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("bash", ["-c", command], { timeout: 20_000 }, (error, stdout, stderr) => (error ? reject(new Error(`${command}\n${stderr}`)) : resolve(stdout)));
  });
}

describe("flux start, over a real socket", () => {
  const cwd = userProject();
  let server: Started;

  it("serves the seeds' curl commands verbatim (port aside)", async () => {
    server = await start(cwd);
    const port = server.port;
    // The seeds' commands, character for character, with localhost:8000 on our port.
    const run = JSON.parse(await sh(`curl --location 'localhost:${port}/hello_world' \\
--header 'Content-Type: application/json' \\
--data '"World"'`)) as Record<string, unknown>;
    expect(run).toMatchObject({ name: "hello_world", input: "World", output: "Hello, World", state: "succeeded" });
    const id = run.execution_id as string;

    const details = JSON.parse(await sh(`curl --location 'localhost:${port}/inspect/${id}'`)) as { execution_id: string; events: { type: string }[] };
    expect(details.execution_id).toBe(id);
    expect(details.events.map((e) => e.type)).toEqual(["WORKFLOW_STARTED", "TASK_STARTED", "TASK_COMPLETED", "WORKFLOW_COMPLETED"]);

    const inspected = JSON.parse(await sh(`curl --location 'localhost:${port}/hello_world?inspect=true' \\
--header 'Content-Type: application/json' \\
--data '"World"'`)) as { output: string; events: unknown[] };
    expect(inspected.output).toBe("Hello, World");
    expect(inspected.events).toHaveLength(4);
    expect(await sh(`curl -s 'localhost:${port}/workflows'`)).toContain('"hello_world"');
  });

  it("pauses and resumes over HTTP, refuses bad input with 4xx JSON, and limits bodies", async () => {
    const base = `http://127.0.0.1:${server.port}`;
    const paused = await (await fetch(`${base}/pause_workflow`, { method: "POST" })).json() as { execution_id: string; state: string };
    expect(paused.state).toBe("paused");
    const resumed = JSON.parse(await sh(`curl -s --location 'localhost:${server.port}/pause_workflow/${paused.execution_id}' --header 'Content-Type: application/json' --data '"ok"'`)) as { state: string; output: string };
    expect(resumed).toMatchObject({ state: "succeeded", output: "Data processed and ok" });

    const status = (command: string) => sh(`curl -s -o /dev/null -w '%{http_code}' ${command}`);
    expect(await status(`'localhost:${server.port}/hello_world' --data 'World'`)).toBe("400");
    expect(await status(`'localhost:${server.port}/nope' --data '"x"'`)).toBe("404");
    expect(await status(`'localhost:${server.port}/inspect/nope'`)).toBe("404");
    const big = join(cwd, "big.json");
    writeFileSync(big, JSON.stringify("x".repeat(1024 * 1024 + 10)));
    expect(await status(`'localhost:${server.port}/hello_world' --data-binary @${big}`)).toBe("413");
    expect(await status(`'localhost:${server.port}/hello_world' -H 'Transfer-Encoding: chunked' --data-binary @${big}`)).toBe("413");
  });

  it("stops on SIGTERM", async () => {
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain("flux: stopped");
  });

  it("requires the bearer token from FLUX_API_TOKEN on every route", async () => {
    const guarded = await start(cwd, { FLUX_API_TOKEN: "t0ken" });
    const port = guarded.port;
    const code = (args: string) => sh(`curl -s -o /dev/null -w '%{http_code}' ${args}`);
    expect(await code(`'localhost:${port}/hello_world' --header 'Content-Type: application/json' --data '"World"'`)).toBe("401");
    expect(await code(`'localhost:${port}/workflows'`)).toBe("401");
    expect(await code(`'localhost:${port}/workflows' --header 'Authorization: Bearer wrong'`)).toBe("401");
    const ok = await sh(`curl -s 'localhost:${port}/hello_world' --header 'Authorization: Bearer t0ken' --header 'Content-Type: application/json' --data '"World"'`);
    expect(JSON.parse(ok)).toMatchObject({ output: "Hello, World" });

    const clash = await new Promise<{ code: number | null; err: string }>((resolve) => {
      execFile(process.execPath, [fluxBin, "start", join(repo, "examples"), "--port", String(port)], { cwd }, (error, _out, err) => resolve({ code: error ? (error.code as number) : 0, err }));
    });
    expect(clash.code).toBe(2);
    expect(clash.err).toContain(`port ${port} on 127.0.0.1 is in use`);
    guarded.child.kill("SIGTERM");
    expect(await guarded.exited).toBe(0);
  });

  it("recovers, at start, an execution a stopped process left running", async () => {
    const dir = userProject();
    const store = new SqliteStore(join(dir, ".flux", "flux.db"));
    const at = Date.now() - 120_000;
    const event = (id: number, type: string, sourceId: string, name: string, value: unknown) => ({ id, type, sourceId, name, value: encodeValue(value), time: at + id });
    await store.commit("left-running", [
      event(0, "WORKFLOW_STARTED", "left-running", "hello_world", "Ana"),
      event(1, "TASK_STARTED", "1", "say_hello", ["Ana"]),
    ], { expectedSeq: 0 });
    await store.close();
    const revived = await start(dir);
    await expect.poll(async () => {
      const res = await fetch(`http://127.0.0.1:${revived.port}/inspect/left-running`);
      return ((await res.json()) as { state: string; output?: unknown });
    }, { timeout: 10_000 }).toMatchObject({ state: "succeeded", output: "Hello, Ana" });
    expect(revived.output()).toContain("flux: recovered 1 execution(s) left running by a stopped process: left-running");
    revived.child.kill("SIGTERM");
    expect(await revived.exited).toBe(0);
  });
});
