import type { Example } from "./example.js";

/** One subworkflow per input, run concurrently; each is an execution of its own. */
export const parallelSubworkflows: Example = {
  id: "parallel-subworkflows",
  title: "Parallel subworkflows",
  summary: "ctx.map runs one subworkflow per repository at once; each child's steps are drawn under its call.",
  workflow: "parallel_subflows",
  input: `["flux-ts", "hono", "kysely"]`,
  source: `import { task, workflow, type WorkflowExecutionContext } from "flux-ts";

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A stand-in for an HTTP call (the playground makes no network requests).
const getRepoInfo = task("get_repo_info", async (repo: string) => {
  await wait(200 + repo.length * 60);
  return { repo, stargazers_count: repo.length * 1000 + 7 };
});

const getStars = workflow("get_stars_workflow", async (ctx: WorkflowExecutionContext<string>) => {
  const info = await ctx.run(getRepoInfo, ctx.input);
  return info.stargazers_count;
});

export default workflow("parallel_subflows", async (ctx: WorkflowExecutionContext<string[]>) => {
  if (!ctx.input?.length) throw new TypeError("Repository list cannot be empty");
  const responses = await ctx.map(getStars, ctx.input);
  return Object.fromEntries(ctx.input.map((repo, i) => [repo, responses[i]!.output]));
});
`,
};
