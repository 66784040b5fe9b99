import { Engine, MemoryStore, MemoryBlobStore, task, workflow } from "/work/wt-out/src/index.js";
const big = task("big", async (n: number) => "x".repeat(n));
const echo = task("echo", async (s: string) => s.length);
const wf = workflow("wf", async (ctx) => { const v = await ctx.run(big, ctx.input as number); const n = await ctx.run(echo, v); return v; });
const store = new MemoryStore(); const blobs = new MemoryBlobStore();
let puts = 0; const put = blobs.put.bind(blobs); blobs.put = async (k, d) => { puts++; return put(k, d); };
const e = new Engine({ store, outputStorage: { blobs, threshold: 1000 } });
const ctx = await e.run(wf, 5000);
console.log(ctx.state, (ctx.output as string).length, "puts", puts);
for (const ev of await store.load(ctx.executionId)) console.log(ev.id, ev.type, ev.value.slice(0, 80));
const again = await new Engine({ store, outputStorage: { blobs, threshold: 1000 } }).run(wf, undefined, { executionId: ctx.executionId });
console.log("replay", again.state, (again.output as string).length, again.events.map(e => e.value instanceof Object ? e.value.constructor.name : typeof e.value));
try { await new Engine({ store }).run(wf, undefined, { executionId: ctx.executionId }); } catch (err) { console.log("no storage:", (err as Error).message); }
const tooBig = await new Engine({ store: new MemoryStore(), valueLimit: 100 }).run(wf, 200).catch(e => e);
console.log("limit", tooBig.state, tooBig.output?.name, tooBig.output?.message?.slice(0, 300));
