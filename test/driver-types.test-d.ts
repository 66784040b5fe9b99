import type BetterSqlite3 from "better-sqlite3";
import type { Database as SqlJsDatabase, SqlJsStatic } from "sql.js";
import { expectTypeOf, test } from "vitest";
import type { BetterSqliteConstructor, BetterSqliteDatabaseLike } from "../adapters/sqlite/index.js";
import type { SqlJsDatabaseLike, SqlJsStaticLike } from "../adapters/sql-js/index.js";

// The stores describe their drivers structurally (so that flux-ts's types need no @types
// package); the real drivers' own types must still fit, or users could not pass them in.
test("a better-sqlite3 Database fits BetterSqliteDatabaseLike, its class BetterSqliteConstructor", () => {
  expectTypeOf<BetterSqlite3.Database>().toExtend<BetterSqliteDatabaseLike>();
  expectTypeOf<typeof BetterSqlite3>().toExtend<BetterSqliteConstructor>();
});

test("a sql.js Database and module fit SqlJsDatabaseLike and SqlJsStaticLike", () => {
  expectTypeOf<SqlJsDatabase>().toExtend<SqlJsDatabaseLike>();
  expectTypeOf<SqlJsStatic>().toExtend<SqlJsStaticLike>();
});
