/**
 * DBOS Transact beside flux-ts on one PostgreSQL cluster (`npm run bench:postgres`): the same two
 * workloads, alternated sample by sample so that the machine's drift weighs on both alike.
 * - sequential: one execution of N no-op steps (steps/s);
 * - executions: M executions of a 3-step workflow, at most 100 running at a time, in one
 *   process (executions/s). flux-ts: one engine on the PostgreSQL store. DBOS: its own setup,
 *   the SDK in this process (`DBOS.registerWorkflow`, `DBOS.runStep`), its system database on
 *   the same cluster; each step is checkpointed before the workflow goes on.
 * DBOS comes from bench/peers/node_modules (installed on demand by `npm run bench:peers`, or
 * `npm ci --prefix bench/peers`); without it, the reason is printed and flux-ts runs alone.
 */
import { openPostgresStore } from "../../adapters/postgres/index.js";
import { Engine, task, workflow } from "../../src/index.js";
import type { DbosModule } from "../peers/dbos.js";
import { importPeer, peersInstalled, peerVersion } from "../peers/peer-modules.js";
import { secondsSince, sequentialWorkflow } from "../lib/noop.js";

/** What the side-by-side needs of the cluster. */
export interface Cluster {
  url(database?: string): string;
}

const concurrency = 100;

/** Runs `count` calls of `start`, at most {@link concurrency} at a time. */
async function pool(count: number, start: () => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      await start();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

const step = task("step", async (i: number) => i);
const threeSteps = workflow("three_steps", async (ctx) => {
  for (let i = 0; i < 3; i += 1) await ctx.run(step, i);
  return 3;
});

/** One sample of each workload on each engine, `runs` times after a warm-up; prints medians, ranges and ratios. */
export async function sideBySide(cluster: Cluster, options: { runs: number; steps: number; executions: number; figure: (samples: number[]) => string }): Promise<void> {
  const { runs, steps, executions, figure } = options;
  if (!peersInstalled()) {
    console.log("DBOS: not installed in bench/peers/node_modules (run `npm ci --prefix bench/peers`): flux-ts alone");
    return;
  }
  process.noDeprecation = true; // pg warns once that it is called while busy
  const { DBOS } = await importPeer<DbosModule>("@dbos-inc/dbos-sdk");
  DBOS.setConfig({ name: "flux-bench-pg", systemDatabaseUrl: cluster.url("dbos_side_sys"), logLevel: "error" });
  const dbosSequential = DBOS.registerWorkflow(async (n: number) => {
    for (let i = 0; i < n; i += 1) await DBOS.runStep(async () => i, { name: "noop" });
    return n;
  }, { name: "sequential" });
  const dbosThree = DBOS.registerWorkflow(async () => {
    for (let i = 0; i < 3; i += 1) await DBOS.runStep(async () => i, { name: "step" });
    return 3;
  }, { name: "three_steps" });
  await DBOS.launch();
  const sequential = sequentialWorkflow(steps);
  let schemas = 0;
  const withFlux = async (work: (engine: Engine) => Promise<void>): Promise<number> => {
    const store = await openPostgresStore({ url: cluster.url(), schema: `side_${++schemas}` });
    const engine = new Engine({ store });
    const start = performance.now();
    await work(engine);
    const seconds = secondsSince(start);
    await engine.close(); // closes its store too
    return seconds;
  };
  const timed = async (work: () => Promise<void>): Promise<number> => {
    const start = performance.now();
    await work();
    return secondsSince(start);
  };
  const figures = { fluxSeq: [] as number[], dbosSeq: [] as number[], fluxExec: [] as number[], dbosExec: [] as number[] };
  try {
    for (let i = 0; i <= runs; i += 1) {
      const fluxSeq = steps / (await withFlux(async (engine) => void (await engine.run(sequential, undefined))));
      const dbosSeq = steps / (await timed(async () => void (await dbosSequential(steps))));
      const fluxExec = executions / (await withFlux((engine) => pool(executions, () => engine.run(threeSteps, undefined))));
      const dbosExec = executions / (await timed(() => pool(executions, () => dbosThree())));
      if (i === 0) continue; // the warm-up
      figures.fluxSeq.push(fluxSeq);
      figures.dbosSeq.push(dbosSeq);
      figures.fluxExec.push(fluxExec);
      figures.dbosExec.push(dbosExec);
    }
  } finally {
    await DBOS.shutdown();
  }
  const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
  const dbos = `DBOS Transact ${peerVersion("@dbos-inc/dbos-sdk")}`;
  console.log(`Side by side on this cluster, alternated sample by sample (median of ${runs}, min–max):`);
  console.log(`  Sequential, ${steps.toLocaleString("en-US")} steps   flux-ts  ${figure(figures.fluxSeq)} steps/s`);
  console.log(`  ${"".padEnd(28)} ${dbos}  ${figure(figures.dbosSeq)} steps/s   flux-ts ÷ DBOS: ${(median(figures.fluxSeq) / median(figures.dbosSeq)).toFixed(2)}`);
  console.log(`  ${executions.toLocaleString("en-US")} × 3-step workflow, ${concurrency} at a time, 1 process   flux-ts  ${figure(figures.fluxExec)} executions/s`);
  console.log(`  ${"".padEnd(28)} ${dbos}  ${figure(figures.dbosExec)} executions/s   flux-ts ÷ DBOS: ${(median(figures.fluxExec) / median(figures.dbosExec)).toFixed(2)}`);
}
