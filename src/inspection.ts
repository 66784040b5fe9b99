import { ExecutionEventType as T, isTerminal } from "./events.js";
import { UsageError } from "./errors.js";
import type { ExecutionSummary, StateStore, StoredEvent } from "./state-store.js";
import type { BlobStore } from "./blobs/blob-store.js";
import { blobRefOf } from "./blobs/stored-blob.js";

/** How many events a page of an inspection holds when the caller does not say (`GET /inspect`, `flux inspect`). */
export const INSPECT_PAGE_DEFAULT = 1000;
/** The most events one page of an inspection holds. */
export const INSPECT_PAGE_MAX = 10_000;

/** Which events an inspection returns: those with an id of at least `from` (default 0), at most `limit`. */
export interface InspectPageOptions {
  readonly from?: number;
  readonly limit?: number;
}

/**
 * One page of an execution as recorded, its values still encoded (the store's JSON text): nothing
 * is decoded that the caller does not render, and only the page's rows are read.
 */
export interface InspectedPage {
  readonly summary: ExecutionSummary;
  /** The encoded input (the WORKFLOW_STARTED value); `undefined` for an empty log. */
  readonly input: string | undefined;
  /** The encoded output (the ending event's value) once the execution ended; else `undefined`. */
  readonly output: string | undefined;
  /** The page's events, in log order. */
  readonly events: readonly StoredEvent[];
  /** The id to ask for next (`from`) when the log holds events after this page. */
  readonly next?: number;
}

/**
 * Reads one page of an execution's history straight from the store: its summary, its first event
 * (for the input), its last (for the output, once it ended) and the events of the page; at most
 * `limit` + 2 rows whatever the log's length. With `blobs` (the engine's output storage), values
 * the log keeps there are fetched (those of the page only). Resolves `undefined` for an unknown execution.
 * Rejects with a `UsageError` naming the option for a `from` or `limit` that is not a whole number
 * in range.
 */
export async function inspectPage(store: StateStore, executionId: string, options: InspectPageOptions = {}, blobs?: BlobStore): Promise<InspectedPage | undefined> {
  const { from, limit } = pageOf(options);
  const summary = await store.get(executionId);
  if (summary === undefined) return undefined;
  const events = exactly(await store.load(executionId, { from, limit }), from, limit);
  const first = events[0]?.id === 0 ? events[0] : exactly(await store.load(executionId, { from: 0, limit: 1 }), 0, 1)[0];
  const lastId = summary.events - 1;
  let output: string | undefined;
  if (isTerminal(summary.state) && lastId >= 0) {
    const last = events.at(-1)?.id === lastId ? events.at(-1) : exactly(await store.load(executionId, { from: lastId, limit: 1 }), lastId, 1)[0];
    if (last !== undefined && endingTypes.has(last.type)) output = last.value;
  }
  const end = events.at(-1)?.id;
  const next = end !== undefined && end < lastId ? end + 1 : undefined;
  const fetched = (text: string | undefined) => (text === undefined || blobs === undefined ? text : fetchedText(text, blobs));
  return {
    summary,
    input: await fetched(first?.type === T.WORKFLOW_STARTED ? first.value : undefined),
    output: await fetched(output),
    events: blobs === undefined ? events : await Promise.all(events.map(async (event) => ({ ...event, value: (await fetched(event.value))! }))),
    ...(next === undefined ? {} : { next }),
  };
}

/** `text`, or, when it refers to a value kept in the blob store, that value's text (the reference when the blob store does not have it). */
async function fetchedText(text: string, blobs: BlobStore): Promise<string> {
  const blob = blobRefOf(text);
  return blob === undefined ? text : ((await blobs.get(blob.key)) ?? text);
}

/**
 * `options` with their defaults, checked: throws a `UsageError` naming `from` or `limit` when it
 * is not a whole number in range (from ≥ 0; 1 ≤ limit ≤ {@link INSPECT_PAGE_MAX}).
 */
export function pageOf(options: InspectPageOptions): { from: number; limit: number } {
  const from = options.from ?? 0;
  const limit = options.limit ?? INSPECT_PAGE_DEFAULT;
  if (!Number.isSafeInteger(from) || from < 0) throw new UsageError(`inspect: from=${String(from)} is not an event id: give a whole number from 0`);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > INSPECT_PAGE_MAX) {
    throw new UsageError(`inspect: limit=${String(limit)} is not a page size: give a whole number from 1 to ${INSPECT_PAGE_MAX}`);
  }
  return { from, limit };
}

const endingTypes = new Set<string>([T.WORKFLOW_COMPLETED, T.WORKFLOW_FAILED, T.WORKFLOW_CANCELLED]);

/** The rows of a page a store returned, held to the page (a store may ignore the page options). */
function exactly(rows: readonly StoredEvent[], from: number, limit: number): StoredEvent[] {
  const kept: StoredEvent[] = [];
  for (const row of rows) {
    if (row.id < from) continue;
    if (kept.length === limit) break;
    kept.push(row);
  }
  return kept;
}
