import { task, workflow, type WorkflowExecutionContext } from "flux-ts";

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const sayHi = task("say_hi", async (name: string) => { await wait(20); return `Hi, ${name}`; });
export const sayHello = task("say_hello", async (name: string) => { await wait(5); return `Hello, ${name}`; });
export const sayHola = task("say_hola", async (name: string) => { await wait(10); return `Hola, ${name}`; });
export const diga = task("diga_ola", async (name: string) => `Olá, ${name}`);

/** Four tasks at once; results come back in call order whatever order they finish in. */
export const parallelTasksWorkflow = workflow("parallel_tasks_workflow", async (ctx: WorkflowExecutionContext<string>) =>
  ctx.parallel(
    (c) => c.run(sayHi, ctx.input),
    (c) => c.run(sayHello, ctx.input),
    (c) => c.run(sayHola, ctx.input),
    (c) => c.run(diga, ctx.input),
  ));
