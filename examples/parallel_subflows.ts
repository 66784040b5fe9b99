import { task, workflow, type WorkflowExecutionContext } from "flux-ts";

/** Stands in for the GitHub API (examples use no network): a fixed star count per repository. */
const FAKE_STARS: Readonly<Record<string, number>> = {
  "python/cpython": 62000, "microsoft/typescript": 100000, "honojs/hono": 20000, "edurdias/flux": 50,
};

export const getRepoInfo = task("get_repo_info", async (repo: string) => {
  const stars = FAKE_STARS[repo];
  if (stars === undefined) throw new Error(`repository ${repo} not found`);
  return { full_name: repo, stargazers_count: stars };
});

export const getStarsWorkflow = workflow("get_stars_workflow", async (ctx: WorkflowExecutionContext<string>) => {
  const info = await ctx.run(getRepoInfo, ctx.input);
  return info.stargazers_count;
});

/** One subworkflow per repository, in parallel; collects their outputs. */
export const parallelSubflows = workflow("parallel_subflows", async (ctx: WorkflowExecutionContext<string[]>) => {
  if (!ctx.input || ctx.input.length === 0) throw new TypeError("Repository list cannot be empty");
  const responses = await ctx.map(getStarsWorkflow, ctx.input);
  return Object.fromEntries(ctx.input.map((repo, i) => [repo, responses[i]!.output]));
});
