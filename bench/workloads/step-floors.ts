import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Engine } from "../../src/index.js";
import { openBenchStore } from "../lib/bench-store.js";
import { appendFsyncMs, overwriteFsyncMs } from "../lib/fsync-floors.js";
import { sequentialWorkflow } from "../lib/noop.js";
import { oneRowTransactionsMs } from "../lib/one-row-transactions.js";
import type { Workload } from "../lib/workload.js";

const block = 500;
const rounds = 4;
const flow = sequentialWorkflow(block);

/**
 * A durable step on the default store against three floors, measured interleaved in one process
 * (A B C D A B C D …, `rounds` rounds of `block` operations each, all in the temp directory), so
 * that the machine's load weighs on every figure alike: a 128-byte append + fdatasync (the floor
 * the older `fsync floor` row measures, alone and minutes apart), a 4 KB overwrite in place +
 * fdatasync, and a one-row SQLite transaction with the store's settings (WAL, synchronous = FULL),
 * the honest floor of an engine on SQLite. The figure is ms per step ÷ the one-row commit; the
 * note gives the step's ms and its ratio to each floor.
 */
const stepFloors: Workload = {
  title: "Step ÷ SQLite 1-row commit (interleaved)",
  unit: "×",
  target: { value: 1.5, better: "lower", on: "sqlite" },
  variants: ["sqlite"],
  async measure() {
    const dir = mkdtempSync(join(tmpdir(), "flux-floors-"));
    let step = 0;
    let append = 0;
    let overwrite = 0;
    let oneRow = 0;
    try {
      for (let round = 0; round < rounds; round += 1) {
        const { store, dispose } = await openBenchStore("sqlite");
        const engine = new Engine({ store });
        const start = performance.now();
        const ctx = await engine.run(flow, undefined);
        step += performance.now() - start;
        if (ctx.output !== block) throw new Error(`the workflow ended ${ctx.state}: ${String(ctx.output)}`);
        await dispose();
        append += appendFsyncMs(dir, block);
        overwrite += overwriteFsyncMs(dir, block);
        oneRow += oneRowTransactionsMs(block);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const perStep = step / (rounds * block);
    return {
      value: step / oneRow,
      note: `${perStep.toFixed(3)} ms/step; ÷ append+fsync ${(step / append).toFixed(2)}×, `
        + `÷ 4 KB overwrite+fsync ${(step / overwrite).toFixed(2)}×, ÷ 1-row SQLite commit ${(step / oneRow).toFixed(2)}×`,
    };
  },
};
export default stepFloors;
