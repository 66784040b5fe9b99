import { task, workflow, type WorkflowExecutionContext } from "flux-ts";

/** Says hello. */
export const sayHello = task("say_hello", async (name: string) => `Hello, ${name}`);

/** The seeds' first workflow: `flux exec examples/hello_world.ts hello_world World`. */
export const helloWorld = workflow("hello_world", async (ctx: WorkflowExecutionContext<string>) => {
  if (!ctx.input) throw new TypeError("Input not provided");
  return ctx.run(sayHello, ctx.input);
});
