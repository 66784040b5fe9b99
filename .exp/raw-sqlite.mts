import Database from "better-sqlite3";
import { mkdtempSync } from "node:fs";
const n = 3000;
function once(bytes: number, pageSize: number) {
  const dir = mkdtempSync("/tmp/dbx-");
  const db = new Database(`${dir}/x.db`);
  db.pragma(`page_size = ${pageSize}`);
  db.pragma("journal_mode = WAL"); db.pragma("synchronous = FULL");
  db.exec("create table e (k integer primary key, v text); create table s (k integer primary key, n integer)");
  db.exec("insert into s values (1, 0)");
  const ins = db.prepare("insert into e values (?, ?)");
  const up = db.prepare("update s set n = ? where k = 1");
  const tx = db.transaction((i: number, v: string) => { ins.run(i, v); up.run(i); });
  const t = performance.now();
  for (let i = 0; i < n; i++) tx(i, bytes === 0 ? String(i) : `${i}:`.padEnd(bytes, "x"));
  return (performance.now() - t) * 1000 / n;
}
for (const ps of [4096, 8192, 16384]) for (let r = 0; r < 2; r++) { const a = once(0, ps); const b = once(10240, ps); console.log(`page ${ps}: small ${a.toFixed(0)} µs, 10KB ${b.toFixed(0)} µs, ratio ${(b/a).toFixed(2)}`); }
