import { task, workflow } from "flux-ts";

/** What the rollback undid, for the example's output. */
export const undone: string[] = [];

/** Reserves then fails; its rollback releases the reservation before the failure propagates. */
export const reserveSeat = task(
  { name: "reserve_seat", rollback: async (seat: string) => void undone.push(seat) },
  async (seat: string): Promise<string> => {
    throw new Error(`payment for seat ${seat} declined`);
  },
);

export const taskRollback = workflow("task_rollback", async (ctx) => ctx.run(reserveSeat, "12A"));
