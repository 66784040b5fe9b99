import { sha256Hex } from "./sha256.js";

/** The longest execution id (see `validateExecutionId`). */
export const MAX_EXECUTION_ID = 200;

/**
 * The execution id of the subworkflow that `parentId` calls at `stepId`: `<parent id>.<step id>`
 * while that fits in {@link MAX_EXECUTION_ID} characters (readable, and what every earlier
 * version used, so executions in flight keep their children), else a bounded derivation that
 * keeps the start of the parent's id and the step, with a SHA-256 of the whole in between:
 * `<first 120 characters of the parent id>:<32 hex>.<step id's last 40 characters>`. The same
 * at every depth, deterministic on replay, and never longer than the limit.
 *
 * @example
 * childExecutionId("order-7", "3"); // "order-7.3"
 */
export function childExecutionId(parentId: string, stepId: string): string {
  const plain = `${parentId}.${stepId}`;
  if (plain.length <= MAX_EXECUTION_ID) return plain;
  return `${parentId.slice(0, 120)}:${sha256Hex(plain).slice(0, 32)}.${stepId.slice(-40)}`;
}
