/**
 * flux-ts/client against a real `flux start` over a socket: run, start, stream (live, then
 * reconnecting after the last event), resume, sendEvent, cancel, inspect, list, errors, token.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, FluxHttpError, type EventJson } from "../src/client/index.js";
import { helloWorld } from "../examples/hello_world.js";
import { pauseWorkflow } from "../examples/pause.js";
import { approvalByEvent } from "../examples/approval_by_event.js";
import { repo, userProject } from "./cli-support.js";
import { startFlux, type FluxServer } from "./support/flux-server.js";

let server: FluxServer;
const token = "client-test-token";

beforeAll(async () => {
  server = await startFlux(join(repo, "examples"), userProject(), [], { FLUX_API_TOKEN: token });
});
// (startFlux's own afterAll, registered inside beforeAll, does not run: the server is stopped here.)
afterAll(() => void server?.child.kill("SIGKILL"));

describe("flux-ts/client against flux start", () => {
  it("runs, starts and inspects, typed by the workflow", async () => {
    const flux = createClient({ baseUrl: server.url, token });
    expect(await flux.health()).toMatchObject({ status: "ok" });
    expect(await flux.workflows()).toContain("hello_world");
    const run = await flux.run(helloWorld, "World");
    expect(run).toMatchObject({ state: "succeeded", output: "Hello, World", input: "World", name: "hello_world" });
    const again = await flux.run(helloWorld, "ignored", { executionId: run.execution_id });
    expect(again.output).toBe("Hello, World"); // the idempotency key: answered as it stands
    const inspected = await flux.inspect(run.execution_id, helloWorld);
    expect(inspected.events?.map((e) => e.type)).toEqual(["WORKFLOW_STARTED", "TASK_STARTED", "TASK_COMPLETED", "WORKFLOW_COMPLETED"]);
    expect(await flux.check(run.execution_id)).toEqual({ execution_id: run.execution_id, workflow: "hello_world", state: "succeeded", result: "compatible", steps: 1 });
    const failed = await flux.run(helloWorld, "");
    expect(failed.state).toBe("failed");
    if (failed.state === "failed") expect(failed.output.message).toContain("Input not provided");
  });

  it("streams a paused execution live through a resume, and lists it", async () => {
    const flux = createClient({ baseUrl: `${server.url}/`, token });
    const paused = await flux.run(pauseWorkflow, undefined);
    expect(paused.state).toBe("paused");
    const seen: EventJson[] = [];
    const following = (async () => {
      for await (const event of flux.stream(paused.execution_id)) {
        seen.push(event);
        if (event.type === "WORKFLOW_PAUSED") void flux.resume(pauseWorkflow, paused.execution_id, "by the client");
      }
    })();
    await following; // ends once the execution ended
    expect(seen.map((e) => e.id)).toEqual(seen.map((_, i) => i));
    expect(seen.at(-1)).toMatchObject({ type: "WORKFLOW_COMPLETED", value: "Data processed and by the client" });

    const late: EventJson[] = [];
    for await (const event of flux.stream(paused.execution_id, { after: seen.length - 2 })) late.push(event);
    expect(late.map((e) => e.id)).toEqual([seen.length - 1]);

    const page = await flux.list({ workflow: pauseWorkflow, limit: 1 });
    expect(page.executions[0]).toMatchObject({ execution_id: paused.execution_id, state: "succeeded", workflow: "pause_workflow" });
    expect((await flux.list({ workflow: "pause_workflow", state: "paused" })).executions.map((e) => e.execution_id)).not.toContain(paused.execution_id);
    const events = await flux.events(paused.execution_id, { after: 0, limit: 2 });
    expect(events.events.map((e) => e.id)).toEqual([1, 2]);
    expect(events.next_after).toBe(2);
  });

  it("sends an event to a waiting execution, and cancels another", async () => {
    const flux = createClient({ baseUrl: server.url, token });
    const waiting = await flux.run(approvalByEvent, { amount: 10 });
    expect(waiting.state).toBe("paused");
    const sent = await flux.sendEvent(approvalByEvent, waiting.execution_id, "approval", { approved: true, by: "ana" });
    expect(sent).toMatchObject({ execution_id: waiting.execution_id, name: "approval", seq: 1 });
    let last: EventJson | undefined;
    for await (const event of flux.stream(waiting.execution_id)) last = event;
    expect(last).toMatchObject({ type: "WORKFLOW_COMPLETED", value: "approved by ana" });

    const started = await flux.start(approvalByEvent, { amount: 20 });
    expect(started.state).toBe("running");
    await expect.poll(async () => (await flux.inspect(started.execution_id)).state, { timeout: 20_000 }).toBe("paused");
    expect(await flux.cancel(approvalByEvent, started.execution_id, "not needed")).toEqual({ execution_id: started.execution_id, state: "cancelled", cancelled: true });
    expect((await flux.inspect(started.execution_id)).state).toBe("cancelled");
  });

  it("rejects with FluxHttpError carrying the server's status, name, code and message", async () => {
    const flux = createClient({ baseUrl: server.url, token });
    const missing = await flux.inspect("no-such-execution").catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(FluxHttpError);
    expect(missing).toMatchObject({ status: 404, name: "ExecutionNotFoundError", code: "EXECUTION_NOT_FOUND" });
    await expect(flux.run("no_such_workflow", 1)).rejects.toMatchObject({ status: 404, code: "WORKFLOW_NOT_FOUND" });
    await expect(flux.list({ limit: 0 })).rejects.toMatchObject({ status: 400 });
    const stranger = createClient({ baseUrl: server.url });
    await expect(stranger.list()).rejects.toMatchObject({ status: 401, code: "UNAUTHORIZED" });
    await expect(stranger.health()).resolves.toMatchObject({ status: "ok" }); // health needs no token
    await expect(async () => {
      for await (const _ of stranger.stream("x")) break;
    }).rejects.toMatchObject({ status: 401 });
  });
});
