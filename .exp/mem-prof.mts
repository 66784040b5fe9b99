import { Engine, task, workflow, MemoryStore } from "/work/main/src/index.js";
const steps = 40000;
const bytes = Number(process.argv[2] ?? 10240);
const produce = task("produce", async (i: number) => (bytes === 0 ? i : `${i}:`.padEnd(bytes, "x")));
const flow = workflow(`o_${bytes}`, async (ctx) => { for (let i = 0; i < steps; i++) await ctx.run(produce, i); return steps; });
const t = performance.now();
await new Engine({ store: new MemoryStore(), releaseValuesOver: 4096 }).run(flow, undefined);
console.log(((performance.now() - t) * 1000 / steps).toFixed(1), "µs/step");
