import { task, workflow } from "../../src/index.js";

/** How many step bodies this process ran (a runner reports it when it stops). */
export const ran = { steps: 0 };

const step = task("step", async (i: number) => {
  ran.steps += 1;
  return i;
});

/** How long the durable sleep of {@link job} lasts (ms): the bench waits it out before the runners start. */
export const jobSleep = 2_000;

/**
 * The fleet bench's execution: 3 steps, a durable sleep (suspended when the engine holds no
 * sleep: `holdSleepsUpTo: 0`, so that a seeded execution waits as due work), 3 more steps.
 */
export const job = workflow("job", async (ctx) => {
  for (let i = 0; i < 3; i += 1) await ctx.run(step, i);
  await ctx.sleep(jobSleep);
  for (let i = 3; i < 6; i += 1) await ctx.run(step, i);
  return 6;
});
