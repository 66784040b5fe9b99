import { readFileSync } from "node:fs";
import type Database from "better-sqlite3";

/** The frames of a SQLite write-ahead log: the page number each one writes, and how many commits they end. */
export interface WalFrames {
  readonly pages: readonly number[];
  readonly commits: number;
}

/**
 * Reads the frames of `walFile` (SQLite's WAL format: a 32-byte header, then per frame a 24-byte
 * header, whose first word is the page number and second the database size after a commit
 * frame, 0 otherwise, and the page). Counts every frame in the file: call it on a log that was
 * truncated (`wal_checkpoint(TRUNCATE)`) before the writes to count, with the auto-checkpoint off.
 */
export function walFrames(walFile: string, pageSize: number): WalFrames {
  const wal = readFileSync(walFile);
  const pages: number[] = [];
  let commits = 0;
  for (let offset = 32; offset + 24 + pageSize <= wal.length; offset += 24 + pageSize) {
    pages.push(wal.readUInt32BE(offset));
    if (wal.readUInt32BE(offset + 4) !== 0) commits += 1;
  }
  return { pages, commits };
}

/**
 * How many of `pages` belong to each B-tree of `db` (its tables and indexes, by name, as the
 * `dbstat` table reads them now; page 1, the schema and header page, as "page 1"), sorted by count.
 */
export function pagesByTree(db: Database.Database, pages: readonly number[]): [string, number][] {
  const owner = new Map<number, string>();
  for (const row of db.prepare("SELECT name, pageno FROM dbstat").all() as { name: string; pageno: number }[]) owner.set(row.pageno, row.name);
  const counts = new Map<string, number>();
  for (const page of pages) {
    const name = page === 1 ? "page 1" : owner.get(page) ?? "freed";
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]);
}
