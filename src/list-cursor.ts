import { UsageError } from "./errors.js";

/** The position after which a page of `StateStore.list` continues: newest first, then by id. */
export interface ListPosition {
  readonly createdAt: number;
  readonly executionId: string;
}

/** An opaque cursor for `position`. */
export function encodeCursor(position: ListPosition): string {
  return `${position.createdAt}:${position.executionId}`;
}

/** The position a cursor stands for; a `UsageError` naming the cursor when it is not one of ours. */
export function decodeCursor(cursor: string): ListPosition {
  const colon = cursor.indexOf(":");
  const createdAt = Number(cursor.slice(0, colon));
  if (colon <= 0 || !Number.isFinite(createdAt)) {
    throw new UsageError(`invalid list cursor ${JSON.stringify(cursor)}: pass the nextCursor of a previous page`);
  }
  return { createdAt, executionId: cursor.slice(colon + 1) };
}

/** True when a summary at (createdAt, executionId) comes after `position` in list order. */
export function isAfter(position: ListPosition, createdAt: number, executionId: string): boolean {
  return createdAt < position.createdAt || (createdAt === position.createdAt && executionId < position.executionId);
}

/** The page size a store uses for `limit`: default 100, at least 1, at most 1000. */
export function pageSize(limit: number | undefined): number {
  if (limit === undefined) return 100;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new UsageError(`invalid list limit ${limit}: give a whole number from 1 to 1000`);
  return Math.min(limit, 1000);
}
