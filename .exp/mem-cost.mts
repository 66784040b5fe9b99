import { Engine, task, workflow, MemoryStore } from "/work/main/src/index.js";
const steps = 20000;
async function once(bytes: number) {
  const produce = task("produce", async (i: number) => (bytes === 0 ? i : `${i}:`.padEnd(bytes, "x")));
  const flow = workflow(`o_${bytes}_${Math.random()}`, async (ctx) => { for (let i = 0; i < steps; i++) await ctx.run(produce, i); return steps; });
  const store = new MemoryStore();
  const t = performance.now();
  await new Engine({ store, releaseValuesOver: 4096 }).run(flow, undefined);
  return (performance.now() - t) * 1000 / steps;
}
for (let r = 0; r < 3; r++) { const a = await once(0); const b = await once(10240); console.log(`memory: noop ${a.toFixed(0)} µs, 10KB ${b.toFixed(0)} µs, +${(b-a).toFixed(0)}`); }
