import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";

/**
 * What SQLite itself takes for `count` durable commits in a row here (ms, in total): one-row
 * INSERT transactions through better-sqlite3 on a new file in a new temp directory, in WAL mode
 * with synchronous = FULL (the default store's settings). Each commit fsyncs the WAL. The row's
 * value is `{"step":i}`, or a fresh string of `valueSize` characters (its number first) when given.
 */
export function oneRowTransactionsMs(count: number, valueSize?: number): number {
  const dir = mkdtempSync(join(tmpdir(), "flux-floor-"));
  try {
    const db = new Database(join(dir, "floor.db"));
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.exec("CREATE TABLE log (seq INTEGER PRIMARY KEY, value TEXT NOT NULL)");
    const insert = db.prepare("INSERT INTO log (value) VALUES (?)");
    const start = performance.now();
    for (let i = 0; i < count; i += 1) insert.run(valueSize === undefined ? `{"step":${i}}` : `${i}:`.padEnd(valueSize, "x"));
    const ms = performance.now() - start;
    db.close();
    return ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
