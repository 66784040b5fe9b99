import { task, workflow, type WorkflowExecutionContext } from "flux-ts";

export const sayHello = task("say_hello", async (name: string) => `Hello, ${name}`);

export const helloWorld = workflow("hello_world", async (ctx: WorkflowExecutionContext<string>) => ctx.run(sayHello, ctx.input));
