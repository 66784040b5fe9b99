// `npx flux exec orders.ts ordered '{"id": "a1", "level": 5}'` with sucrase installed beside
// flux-ts: several TypeScript files, imported as TypeScript's node16 resolution has you write them.
import { task, workflow, type WorkflowExecutionContext } from "flux-ts";
import { Level, label, type Order } from "./model.js";
import { twice } from "./lib/index.js";

class Pricer {
  constructor(private readonly base: number) {}
  price(level: Level): number { return this.base * level; }
}

export const describeOrder = task("describe_order", async (order: Order): Promise<string> =>
  `${label(order)} ${Level[order.level]} ${twice(new Pricer(1).price(order.level))}`);

export const ordered = workflow("ordered", async (ctx: WorkflowExecutionContext<Order>) => ctx.run(describeOrder, ctx.input));
