import type { Example } from "./example.js";

/** A pause point: the run suspends until Resume, and `pause` returns the value typed there. */
export const pauseResume: Example = {
  id: "pause-resume",
  title: "Pause and resume",
  summary: "The run stops at a pause point; Resume it with a value (even after a reload) and pause() returns it.",
  workflow: "pause_workflow",
  input: `"invoice-42"`,
  source: `import { task, workflow, type WorkflowExecutionContext } from "flux-ts";

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const processData = task("process_data", async (document: string) => {
  await wait(300);
  return \`\${document} processed\`;
});

const publish = task("publish", async (text: string) => {
  await wait(200);
  return text;
});

export default workflow("pause_workflow", async (ctx: WorkflowExecutionContext<string>) => {
  const result = await ctx.run(processData, ctx.input);
  // The run suspends here. Type a value next to Resume: pause() returns it.
  const approver = await ctx.pause<string>("wait_for_approval");
  return ctx.run(publish, \`\${result} and approved by \${approver}\`);
});
`,
};
