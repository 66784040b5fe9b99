import type { Example } from "./example.js";

/** An event wait with a timeout: the run suspends until the event "approval" is sent, or expires. */
export const approvalByEvent: Example = {
  id: "approval-by-event",
  title: "Approval by event",
  summary: "The run waits for the event \"approval\": press Send event with {\"approved\": true, \"by\": \"Ada\"} (or just a name) before the 60 s timeout, or let it expire. Cancel stops it.",
  workflow: "approval_by_event",
  input: `{"id": "order-7", "amount": 250, "timeoutMs": 60000}`,
  source: `import { task, workflow, type WorkflowExecutionContext } from "flux-ts";

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Order { id: string; amount: number; timeoutMs: number }
interface Decision { approved: boolean; by: string }

const requestApproval = task("request_approval", async (order: Order) => {
  await wait(300); // stands for an e-mail or a chat message to the approver
  return \`approval of \${order.id} (\${order.amount} EUR) requested\`;
});

const ship = task("ship", async (order: Order, by: string) => {
  await wait(200);
  return \`\${order.id} approved by \${by} and shipped\`;
});

export default workflow("approval_by_event", async (ctx: WorkflowExecutionContext<Order>) => {
  const order = ctx.input;
  await ctx.run(requestApproval, order);
  // The run suspends here until the event "approval" arrives (Send event, on the right; in code
  // engine.sendEvent(id, "approval", payload)), or until the timeout passes: then it is undefined.
  const decision = await ctx.waitForEvent<Decision | string>("approval", { timeout: order.timeoutMs });
  if (decision === undefined) return \`\${order.id} expired: no approval within \${order.timeoutMs / 1000} s\`;
  const { approved, by } = typeof decision === "string" ? { approved: true, by: decision } : decision;
  if (!approved) return \`\${order.id} rejected by \${by}\`;
  return ctx.run(ship, order, by);
});
`,
};
