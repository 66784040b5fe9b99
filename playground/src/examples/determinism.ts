import type { Example } from "./example.js";

/** Time, randomness and sleep through ctx: recorded, so a replay returns the same values. */
export const determinism: Example = {
  id: "determinism",
  title: "Determinism",
  summary: "now(), uuid4(), randint() and sleep() are recorded: press Replay and the same values come back.",
  workflow: "deterministic_workflow",
  input: "",
  source: `import { workflow, type WorkflowExecutionContext } from "flux-ts";

export default workflow("deterministic_workflow", async (ctx: WorkflowExecutionContext) => {
  const start = await ctx.now();
  const id = await ctx.uuid4();
  const dice = await ctx.randint(1, 6);
  const pick = await ctx.randrange(1, 10);
  await ctx.sleep(500); // durable: a reload during it waits only what is left
  const end = await ctx.now();
  return { id, dice, pick, elapsedMs: end.getTime() - start.getTime() };
});
`,
};
