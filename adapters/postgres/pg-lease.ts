import { ExecutionNotFoundError, StoreError } from "../../src/errors.js";
import type { CancelRequest, Lease } from "../../src/state-store.js";
import { cancelFromRow, leaseFromRow } from "./pg-rows.js";
import type { PgTables } from "./pg-schema.js";
import type { PgRun, PgStatement } from "./pg-statements.js";

/** The lease columns (and the cancellation asked for) that a lease call answers with. */
const leaseColumns = "lease_owner, lease_expires_at, cancel_requested_at, cancel_reason";

/**
 * Takes the lease of the row when it is free, lapsed (`lease_expires_at <= now`) or the
 * owner's, until `expiresAt`; a running execution's wake time moves with it. Returns the row's
 * lease columns when it took it, no row otherwise.
 */
function takeLeaseStatement(tables: PgTables, executionId: string, owner: string, now: number, expiresAt: number): PgStatement {
  return {
    text: `UPDATE ${tables.executions} SET lease_owner = $2, lease_expires_at = $4, wake_at = CASE WHEN state = 'running' THEN $4 ELSE wake_at END
WHERE id = $1 AND (lease_owner IS NULL OR lease_expires_at <= $3 OR lease_owner = $2)
RETURNING ${leaseColumns}`,
    values: [executionId, owner, now, expiresAt],
  };
}

/** The lease columns of the row as they stand (no row for an unknown execution). */
function readLeaseStatement(tables: PgTables, executionId: string): PgStatement {
  return { text: `SELECT ${leaseColumns} FROM ${tables.executions} WHERE id = $1`, values: [executionId] };
}

/**
 * `StateStore.lease` on PostgreSQL with ONE conditional `UPDATE`: PostgreSQL runs two concurrent
 * ones on the row one after the other, and the second re-checks its condition against the
 * first's result, so exactly one taker of a free lease gets it. When it took nothing, a read
 * says who holds it; when that read finds no holder (it was given up between the two
 * statements), it tries again, 5 times in all, then rejects with `StoreError`. Resolves with
 * the cancellation asked for too; rejects with `ExecutionNotFoundError` for an unknown
 * execution (`description` names the database). Each statement runs through `run`.
 */
export async function takePgLease(
  run: PgRun, tables: PgTables, description: string, executionId: string, owner: string, times: { now: number; expiresAt: number },
): Promise<Lease & { readonly cancel?: CancelRequest }> {
  const doing = `taking the lease of execution ${executionId}`;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const taken = await run(doing, takeLeaseStatement(tables, executionId, owner, times.now, times.expiresAt));
    const row = taken[0] ?? (await run(doing, readLeaseStatement(tables, executionId)))[0];
    if (row === undefined) throw new ExecutionNotFoundError(`no execution ${executionId} in ${description} to lease: start it (commit its first events) first`);
    const lease = leaseFromRow(row);
    // Its holder gave it up between the two statements: take it again.
    if (lease === undefined) continue;
    const cancel = cancelFromRow(row);
    return cancel === undefined ? lease : { ...lease, cancel };
  }
  throw new StoreError(`${doing} in ${description}: it kept changing hands; try again`);
}
