// The library without better-sqlite3: an engine on the in-memory store.
import { Engine, MemoryStore, workflow } from "flux-ts";

const engine = new Engine({ store: new MemoryStore() });
const double = workflow("double", async (ctx) => ctx.input * 2);
console.log(JSON.stringify({ output: (await double.run(21, { engine })).output }));
