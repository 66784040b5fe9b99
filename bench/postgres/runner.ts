/**
 * One runner of the fleet bench, in a process of its own: `runner.ts URL SCHEMA NAME`. Opens the
 * store and its engine, prints "ready", starts its dispatcher at "go" on stdin, and on SIGTERM
 * stops gracefully and prints how many step bodies it ran as JSON.
 */
import { createInterface } from "node:readline";
import { openPostgresStore } from "../../adapters/postgres/index.js";
import { Engine } from "../../src/index.js";
import { job, ran } from "./job.js";

const [url, schema, name] = process.argv.slice(2);
const store = await openPostgresStore({ url: url!, schema: schema! });
const engine = new Engine({ store, workflows: [job], runnerId: name!, dispatcher: { concurrency: 100 }, onDispatchError: () => undefined });
process.once("SIGTERM", () => {
  void engine.close({ grace: 5_000 }).then(async () => {
    await store.close();
    console.log(JSON.stringify({ steps: ran.steps }));
    process.exit(0);
  });
});
console.log("ready");
createInterface({ input: process.stdin }).on("line", (line) => {
  if (line.trim() === "go") engine.startDispatcher();
});
