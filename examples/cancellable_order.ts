import { task, workflow, type WorkflowExecutionContext } from "flux-ts";

/** What the tasks did, for the example's tests (a real order would call a payment API, a stock service). */
export const ledger: string[] = [];

export const reserveStock = task("reserve_stock", async (items: string[]) => {
  ledger.push(`reserved ${items.join(",")}`);
  return `reservation-${items.length}`;
});
export const chargeCard = task("charge_card", async (amount: number) => {
  ledger.push(`charged ${amount}`);
  return `payment-${amount}`;
});
export const refund = task("refund", async (payment: string) => void ledger.push(`refunded ${payment}`));
export const releaseStock = task("release_stock", async (reservation: string) => void ledger.push(`released ${reservation}`));

/**
 * An order that the customer may cancel until it ships. The customer's cancellation is an event
 * ("cancel_order"): the workflow hears it and undoes what it did, in reverse order (a saga, in
 * code: refund, then release the stock). `engine.cancel` (`flux cancel`, HTTP `/cancel`) is the
 * operator's hard stop instead: the workflow stops where it is and no compensation runs.
 */
export const cancellableOrder = workflow("cancellable_order", async (ctx: WorkflowExecutionContext<{ items: string[]; amount: number }>) => {
  const reservation = await ctx.run(reserveStock, ctx.input.items);
  const payment = await ctx.run(chargeCard, ctx.input.amount);
  const outcome = await Promise.race([
    ctx.waitForEvent<{ tracking: string }>("shipped").then((shipped) => ({ shipped })),
    ctx.waitForEvent<{ reason: string }>("cancel_order").then((cancel) => ({ cancel })),
  ]);
  if ("shipped" in outcome) return `shipped (${outcome.shipped?.tracking})`;
  await ctx.run(refund, payment);
  await ctx.run(releaseStock, reservation);
  return `cancelled by the customer (${outcome.cancel?.reason}): refunded and released`;
});
