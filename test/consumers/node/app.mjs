// A user's first script with flux-ts, run with plain `node app.mjs`: the default engine keeps
// executions in SQLite at .flux/flux.db. `node app.mjs` runs until the pause and prints the
// execution; `node app.mjs resume ID` resumes it in another process.
import { task, workflow } from "flux-ts";

const greet = task("greet", async (name) => `Hello, ${name}`);

export const signup = workflow("signup", async (ctx) => {
  const greeting = await ctx.run(greet, ctx.input);
  const approved = await ctx.pause("approval");
  return { greeting, approved };
});

const [command, id] = process.argv.slice(2);
const ctx = command === "resume" ? await signup.resume(id, "yes") : await signup.run("Ana");
console.log(JSON.stringify({ id: ctx.executionId, state: ctx.state, output: ctx.output, events: ctx.events.map((e) => e.type) }));
