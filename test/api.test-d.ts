import { expectTypeOf, test } from "vitest";
import { Engine, Graph, queue, task, workflow, type Queue, type ExecutionError, type ExecutionEvent, type TaskContext, type WorkflowExecutionContext } from "flux-ts";

const sayHello = task("say_hello", async (name: string) => `Hello, ${name}`);
const add = task("add", (a: number, b: number) => a + b);
const nested = task.withContext("nested", async (tc, n: number) => {
  expectTypeOf(tc).toEqualTypeOf<TaskContext>();
  return tc.run(add, n, 1);
});

test("tasks keep their argument and result types", () => {
  expectTypeOf(sayHello.name).toEqualTypeOf<string>();
  workflow("typed", async (ctx: WorkflowExecutionContext<string>) => {
    expectTypeOf(ctx.input).toEqualTypeOf<string>();
    expectTypeOf(await ctx.run(sayHello, ctx.input)).toEqualTypeOf<string>();
    expectTypeOf(await ctx.run(add, 1, 2)).toEqualTypeOf<number>();
    expectTypeOf(await ctx.run(nested, 1)).toEqualTypeOf<number>();
    // @ts-expect-error a number is not a string argument
    await ctx.run(sayHello, 42);
    // @ts-expect-error add takes two arguments
    await ctx.run(add, 1);
    expectTypeOf(await ctx.map(sayHello, ["a", "b"])).toEqualTypeOf<string[]>();
    expectTypeOf(await ctx.now()).toEqualTypeOf<Date>();
    expectTypeOf(await ctx.uuid4()).toEqualTypeOf<string>();
    expectTypeOf(await ctx.pause<number>("p")).toEqualTypeOf<number>();
    const [a, b] = await ctx.parallel((c) => c.run(add, 1, 2), (c) => c.run(sayHello, "x"));
    expectTypeOf(a).toEqualTypeOf<number>();
    expectTypeOf(b).toEqualTypeOf<string>();
    return null;
  });
});

test("workflows infer input and output; runs return typed contexts", async () => {
  const hello = workflow("hello", async (ctx: WorkflowExecutionContext<string>) => ctx.run(sayHello, ctx.input));
  const ctx = await hello.run("World");
  expectTypeOf(ctx.output).toEqualTypeOf<string | ExecutionError | undefined>();
  expectTypeOf(ctx.input).toEqualTypeOf<string>();
  expectTypeOf(ctx.events).toEqualTypeOf<readonly ExecutionEvent[]>();
  expectTypeOf(ctx.executionId).toEqualTypeOf<string>();
  // @ts-expect-error the input is a string
  await hello.run(42);
  const parent = workflow("parent", async (c: WorkflowExecutionContext<string>) => {
    expectTypeOf(await c.call(hello, "x")).toEqualTypeOf<string>();
    const children = await c.map(hello, ["a"]);
    expectTypeOf(children[0]!.output).toEqualTypeOf<string | ExecutionError | undefined>();
    return children.length;
  });
  expectTypeOf((await parent.run("x")).output).toEqualTypeOf<number | ExecutionError | undefined>();
});

test("graphs are typed by their input and output", () => {
  const g = new Graph<string, string>("g").addNode("hello", sayHello).startWith("hello").endWith("hello");
  workflow("graph", async (ctx: WorkflowExecutionContext<string>) => {
    expectTypeOf(await ctx.run(g, "x")).toEqualTypeOf<string>();
    return null;
  });
});

test("a workflow on a queue keeps its types; a queued start says so", async () => {
  const emails = queue("emails", { concurrency: 10, perRunner: 2, rate: { limit: 100, per: 60_000 } });
  expectTypeOf(emails).toEqualTypeOf<Queue>();
  const send = workflow("send", async (ctx: WorkflowExecutionContext<{ to: string }>) => ctx.input.to.length, { queue: emails });
  expectTypeOf(send.queue).toEqualTypeOf<Queue | undefined>();
  const started = await new Engine().start(send, { to: "a@b.c" }, { queue: emails });
  expectTypeOf(started.queued).toEqualTypeOf<true | undefined>();
  expectTypeOf((await started.result).output).toEqualTypeOf<number | ExecutionError | undefined>();
  // @ts-expect-error concurrency is required
  queue("bad", {});
});
