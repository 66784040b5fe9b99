import type { Example } from "./example.js";

/** Retries with backoff that end in success, and retries that end in the fallback. */
export const retriesFallback: Example = {
  id: "retries-fallback",
  title: "Retries with fallback",
  summary: "A flaky task succeeds on its second retry; a broken one spends its retries and falls back.",
  workflow: "retries_workflow",
  input: `"order-7"`,
  source: `import { task, workflow, type WorkflowExecutionContext } from "flux-ts";

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let calls = 0;
const flakyFetch = task(
  { name: "flaky_fetch", retry: { maxAttempts: 3, delay: 150, backoff: 2 } },
  async (id: string) => {
    await wait(120);
    calls += 1;
    if (calls < 3) throw new Error(\`service busy (call \${calls})\`);
    return { id, price: 42 };
  },
);

const liveRate = task(
  {
    name: "live_exchange_rate",
    retry: { maxAttempts: 2, delay: 100 },
    fallback: async () => {
      await wait(150);
      return 1.1; // the last known rate
    },
  },
  async () => {
    await wait(150);
    throw new Error("rate service unreachable");
  },
);

export default workflow("retries_workflow", async (ctx: WorkflowExecutionContext<string>) => {
  const item = await ctx.run(flakyFetch, ctx.input);
  const rate = await ctx.run(liveRate);
  return { ...item, priceInUsd: Math.round(item.price * rate * 100) / 100 };
});
`,
};
