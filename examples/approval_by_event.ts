import { task, workflow, type WorkflowExecutionContext } from "flux-ts";

/** Stands for notifying the approver (an e-mail, a chat message). */
export const requestApproval = task("request_approval", async (amount: number) => `approval of ${amount} requested`);

/**
 * Waits for the event "approval" (`{ approved, by }`), sent with `engine.sendEvent(id, "approval",
 * ...)`, `flux send ID approval '{"approved": true, "by": "ana"}'` or HTTP
 * `POST /approval_by_event/{id}/events/approval`; gives up after `timeoutMs` (default one day).
 */
export const approvalByEvent = workflow("approval_by_event", async (ctx: WorkflowExecutionContext<{ amount: number; timeoutMs?: number }>) => {
  await ctx.run(requestApproval, ctx.input.amount);
  const decision = await ctx.waitForEvent<{ approved: boolean; by: string }>("approval", { timeout: ctx.input.timeoutMs ?? 86_400_000 });
  if (decision === undefined) return "expired";
  return `${decision.approved ? "approved" : "rejected"} by ${decision.by}`;
});
