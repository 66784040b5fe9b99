import { expectTypeOf, test } from "vitest";
import { createClient, type ErrorJson, type EventJson, type ExecutionResult } from "../src/client/index.js";
import { helloWorld } from "../examples/hello_world.js";
import { approvalByEvent } from "../examples/approval_by_event.js";

const flux = createClient({ baseUrl: "http://127.0.0.1:8000", token: "t" });

test("the client is typed by the workflow definitions it is given", async () => {
  const run = await flux.run(helloWorld, "World");
  expectTypeOf(run).toEqualTypeOf<ExecutionResult<string, string>>();
  expectTypeOf(run.input).toEqualTypeOf<string>();
  if (run.state === "succeeded") expectTypeOf(run.output).toEqualTypeOf<string>();
  if (run.state === "failed") expectTypeOf(run.output).toEqualTypeOf<ErrorJson>();
  if (run.state === "paused") expectTypeOf(run.output).toEqualTypeOf<null>();
  expectTypeOf(await flux.start(approvalByEvent, { amount: 5 })).toEqualTypeOf<ExecutionResult<{ amount: number; timeoutMs?: number }, string>>();
  // @ts-expect-error hello_world takes a string
  await flux.run(helloWorld, 42);
  // @ts-expect-error approval_by_event needs an amount
  await flux.start(approvalByEvent, { timeoutMs: 1 });
  expectTypeOf(await flux.resume(helloWorld, "id", "value")).toEqualTypeOf<ExecutionResult<string, string>>();
  expectTypeOf(await flux.inspect("id", helloWorld)).toEqualTypeOf<ExecutionResult<string, string>>();
});

test("by name, input and output are unknown; streams yield events", async () => {
  expectTypeOf(await flux.run("hello_world", "World")).toEqualTypeOf<ExecutionResult<string, unknown>>();
  expectTypeOf(await flux.inspect("id")).toEqualTypeOf<ExecutionResult<unknown, unknown>>();
  for await (const event of flux.stream("id")) expectTypeOf(event).toEqualTypeOf<EventJson>();
  expectTypeOf((await flux.list({ workflow: helloWorld, state: "paused" })).executions[0]!.state).toEqualTypeOf<"created" | "queued" | "running" | "paused" | "succeeded" | "failed" | "cancelled">();
  // @ts-expect-error not a state
  await flux.list({ state: "done" });
  expectTypeOf((await flux.sendEvent(approvalByEvent, "id", "approval", { approved: true })).seq).toEqualTypeOf<number>();
  expectTypeOf((await flux.cancel(approvalByEvent, "id", "no longer needed")).cancelled).toEqualTypeOf<boolean>();
});
