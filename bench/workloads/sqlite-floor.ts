import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Workload } from "../lib/workload.js";

const transactions = 2_000;

/**
 * What SQLite itself costs per durable commit here: milliseconds per one-row INSERT transaction
 * through better-sqlite3, in WAL mode with synchronous = FULL (the default store's settings).
 */
const sqliteFloor: Workload = {
  title: "SQLite floor (1-row txn, WAL, FULL)",
  unit: "ms",
  variants: ["-"],
  async measure() {
    const dir = mkdtempSync(join(tmpdir(), "flux-floor-"));
    const db = new Database(join(dir, "floor.db"));
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.exec("CREATE TABLE log (seq INTEGER PRIMARY KEY, value TEXT NOT NULL)");
    const insert = db.prepare("INSERT INTO log (value) VALUES (?)");
    const start = performance.now();
    for (let i = 0; i < transactions; i += 1) insert.run(`{"step":${i}}`);
    const ms = (performance.now() - start) / transactions;
    db.close();
    rmSync(dir, { recursive: true, force: true });
    return ms;
  },
};
export default sqliteFloor;
