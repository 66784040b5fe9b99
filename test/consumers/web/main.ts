// A page's first workflow: "flux-ts" is the browser entry, whose default engine keeps
// executions in IndexedDB (database "flux"), durable across reloads.
import { task, workflow, type WorkflowExecutionContext } from "flux-ts";

const sayHello = task("say_hello", async (name: string) => `Hello, ${name}`);

export const helloWorld = workflow("hello_world", async (ctx: WorkflowExecutionContext<string>) => ctx.run(sayHello, ctx.input));

const ctx = await helloWorld.run("World");
document.querySelector("#out")!.textContent = JSON.stringify({ id: ctx.executionId, output: ctx.output });
