import type { Example } from "./example.js";

/** The seeds' first workflow: one task, one input. */
export const helloWorld: Example = {
  id: "hello-world",
  title: "Hello world",
  summary: "One task: its start and completion are recorded in IndexedDB before the workflow sees the result.",
  workflow: "hello_world",
  input: `"World"`,
  source: `import { task, workflow, type WorkflowExecutionContext } from "flux-ts";

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const sayHello = task("say_hello", async (name: string) => {
  await wait(400);
  return \`Hello, \${name}\`;
});

export default workflow("hello_world", async (ctx: WorkflowExecutionContext<string>) => {
  return ctx.run(sayHello, ctx.input);
});
`,
};
