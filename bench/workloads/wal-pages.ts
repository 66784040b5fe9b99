import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { BetterSqliteDriver } from "../../adapters/sqlite/index.js";
import { SqlStore } from "../../adapters/sql/sql-store.js";
import { Engine } from "../../src/index.js";
import { sequentialWorkflow } from "../lib/noop.js";
import { pagesByTree, walFrames } from "../lib/wal-frames.js";
import type { Workload } from "../lib/workload.js";

const block = 500;
const rounds = 4;
/** Executions recorded before the measured one, so that its rows do not land in an empty file. */
const history = 20;
const flow = sequentialWorkflow(block);
const earlier = sequentialWorkflow(10);

/** A connection with the store's settings (WAL, synchronous = FULL) and the auto-checkpoint off, so that the log keeps every page written. */
function openCounted(file: string): Database.Database {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("wal_autocheckpoint = 0");
  return db;
}

/** Empties the log (a checkpoint that truncates it), so that what it holds next is what the next writes wrote. */
function truncateLog(db: Database.Database): void {
  db.pragma("wal_checkpoint(TRUNCATE)");
}

/**
 * What a durable step writes: WAL pages per step of `block` sequential no-op steps on the SQLite
 * store (a file with `history` executions recorded before; the auto-checkpoint off during the
 * measure, so the log holds every page written; the execution's start and end included), next to
 * a one-row INSERT transaction's pages, and steps/s against one-row commits/s, measured
 * interleaved in one process (`rounds` rounds of each, so that the machine's load weighs on both
 * alike). Pages are deterministic for a given sequence of writes; the rates are not. The note
 * says which B-trees the step's pages belong to (per step, those of 0.01 or more).
 */
const walPages: Workload = {
  title: "WAL pages per step (SQLite file)",
  unit: "pages",
  target: { value: 2.5, better: "lower", on: "sqlite" },
  variants: ["sqlite"],
  runs: 3,
  async measure() {
    const dir = mkdtempSync(join(tmpdir(), "flux-wal-pages-"));
    let stepMs = 0;
    let stepPages = 0;
    let oneRowMs = 0;
    let oneRowPages = 0;
    let trees: [string, number][] = [];
    try {
      for (let round = 0; round < rounds; round += 1) {
        const file = join(dir, `steps-${round}.db`);
        const db = openCounted(file);
        const store = await new SqlStore(new BetterSqliteDriver(db, file)).ready();
        const engine = new Engine({ store });
        for (let i = 0; i < history; i += 1) await engine.run(earlier, undefined);
        truncateLog(db);
        const start = performance.now();
        const ctx = await engine.run(flow, undefined);
        stepMs += performance.now() - start;
        if (ctx.output !== block) throw new Error(`the workflow ended ${ctx.state}: ${String(ctx.output)}`);
        const frames = walFrames(`${file}-wal`, Number(db.pragma("page_size", { simple: true })));
        stepPages += frames.pages.length;
        trees = pagesByTree(db, frames.pages);
        await store.close();

        const floorFile = join(dir, `one-row-${round}.db`);
        const floor = openCounted(floorFile);
        floor.exec("CREATE TABLE log (seq INTEGER PRIMARY KEY, value TEXT NOT NULL)");
        const insert = floor.prepare("INSERT INTO log (value) VALUES (?)");
        truncateLog(floor);
        const floorStart = performance.now();
        for (let i = 0; i < block; i += 1) insert.run(`{"step":${i}}`);
        oneRowMs += performance.now() - floorStart;
        oneRowPages += walFrames(`${floorFile}-wal`, Number(floor.pragma("page_size", { simple: true }))).pages.length;
        floor.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const steps = rounds * block;
    const stepsPerSecond = steps / (stepMs / 1000);
    const commitsPerSecond = steps / (oneRowMs / 1000);
    const split = trees.filter(([, count]) => count / block >= 0.005).map(([name, count]) => `${name.replace(/^flux_/, "")} ${(count / block).toFixed(2)}`).join(", ");
    return {
      value: stepPages / steps,
      note: `1-row commit ${(oneRowPages / steps).toFixed(2)} pages; ${Math.round(stepsPerSecond)} steps/s = `
        + `${(stepsPerSecond / commitsPerSecond).toFixed(2)}× the 1-row commits/s (${Math.round(commitsPerSecond)}); per step: ${split}`,
    };
  },
};
export default walPages;
