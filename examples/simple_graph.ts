import { Graph, task, workflow, type WorkflowExecutionContext } from "flux-ts";

export const getName = task("get_name", async (input: string) => input);
export const sayHello = task("say_hello", async (name: string) => `Hello, ${name}`);

/** get_name → say_hello, the edge taken only when there is a name. */
export const greetingGraph = new Graph<string, string>("hello_world_graph")
  .addNode("get_name", getName)
  .addNode("say_hello", sayHello)
  .addEdge("get_name", "say_hello", (name) => typeof name === "string" && name.length > 0)
  .startWith("get_name")
  .endWith("say_hello");

export const simpleGraph = workflow("simple_graph", async (ctx: WorkflowExecutionContext<string>) => ctx.run(greetingGraph, ctx.input));
