import { oneRowTransactionsMs } from "../lib/one-row-transactions.js";
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
    return oneRowTransactionsMs(transactions) / transactions;
  },
};
export default sqliteFloor;
