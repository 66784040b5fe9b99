// A user's Worker on D1 (docs/worker.md): the HTTP API serving their workflows. Its main module
// exports handlers only (wrangler types checks that of every export). `Env` and
// `ExportedHandler` are the types `wrangler types` generates (worker-configuration.d.ts).
import { task, workflow, type WorkflowExecutionContext } from "flux-ts";
import { createWorker } from "flux-ts/worker";

const sayHello = task("say_hello", async (name: string) => `Hello, ${name}`);

const helloWorld = workflow("hello_world", async (ctx: WorkflowExecutionContext<string>) => ctx.run(sayHello, ctx.input));

export default createWorker({ workflows: [helloWorld] }) satisfies ExportedHandler<Env>;
