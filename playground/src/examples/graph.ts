import type { Example } from "./example.js";

/** A graph of tasks with a conditional edge, run as one step with nested steps. */
export const graphExample: Example = {
  id: "graph",
  title: "Graph",
  summary: "A graph is one step; its nodes are nested steps (2.1, 2.2...), and a condition picks the branch.",
  workflow: "graph_workflow",
  input: `"  ada lovelace "`,
  source: `import { Graph, task, workflow, type WorkflowExecutionContext } from "flux-ts";

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const normalize = task("normalize", async (raw: string) => {
  await wait(200);
  return raw.trim();
});
const capitalize = task("capitalize", async (name: string) => {
  await wait(250);
  return name.replace(/\\b\\w/g, (c) => c.toUpperCase());
});
const reject = task("reject", async () => "anonymous");
const greet = task("greet", async (name: string) => {
  await wait(200);
  return \`Hello, \${name}\`;
});

const pipeline = new Graph<string, string>("greeting_graph")
  .addNode("normalize", normalize)
  .addNode("capitalize", capitalize)
  .addNode("reject", reject)
  .addNode("greet", greet)
  .addEdge("normalize", "capitalize", (name) => name !== "")
  .addEdge("normalize", "reject", (name) => name === "")
  .addEdge("capitalize", "greet")
  .addEdge("reject", "greet")
  .startWith("normalize")
  .endWith("greet");

const audit = task("audit", async (text: string) => text.length);

export default workflow("graph_workflow", async (ctx: WorkflowExecutionContext<string>) => {
  await ctx.run(audit, ctx.input);
  const greeting = await ctx.run(pipeline, ctx.input);
  return greeting;
});
`,
};
