import type { Example } from "./example.js";

/** A saga: a failing step rolls itself back and the workflow compensates the steps before it. */
export const rollback: Example = {
  id: "rollback",
  title: "Rollback",
  summary: "Booking the hotel fails: its rollback releases the hold, the workflow cancels the flight, and the run fails.",
  workflow: "trip_booking",
  input: `{ "traveller": "Ada", "nights": 3 }`,
  source: `import { task, workflow, type WorkflowExecutionContext } from "flux-ts";

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Trip { traveller: string; nights: number }

const bookFlight = task("book_flight", async (trip: Trip) => {
  await wait(250);
  return \`FL-\${trip.traveller.toUpperCase()}-1\`;
});

const bookHotel = task(
  {
    name: "book_hotel",
    // Runs with the same arguments when the task fails, before the error reaches the workflow.
    rollback: async (trip: Trip) => {
      await wait(150);
      return \`released the hold for \${trip.traveller}\`;
    },
  },
  async (trip: Trip) => {
    await wait(300);
    throw new Error(\`no room for \${trip.nights} nights\`);
  },
);

const cancelFlight = task("cancel_flight", async (booking: string) => {
  await wait(200);
  return \`\${booking} cancelled\`;
});

export default workflow("trip_booking", async (ctx: WorkflowExecutionContext<Trip>) => {
  const flight = await ctx.run(bookFlight, ctx.input);
  try {
    return await ctx.run(bookHotel, ctx.input);
  } catch (error) {
    await ctx.run(cancelFlight, flight); // compensate, then fail the run
    throw error;
  }
});
`,
};
