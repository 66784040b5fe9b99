import { encodeValue, ExecutionEventType, loadHistory, type StateStore, type StoredEvent } from "flux-ts";

/**
 * An execution's history as a file: its events as the store keeps them (values as JSON text,
 * `encodeValue` form) and those of its subworkflows, by execution id. Importing it into any
 * store and running the same workflow code with its id replays it exactly.
 */
export interface HistoryDocument {
  readonly format: "flux-ts/history";
  readonly version: 1;
  readonly executionId: string;
  readonly workflow: string;
  readonly exportedAt: string;
  readonly events: readonly StoredEvent[];
  /** Subworkflow executions (`<parent id>.<step id>`), recursively. */
  readonly children: Readonly<Record<string, readonly StoredEvent[]>>;
}

/** The history of `executionId` and of its subworkflows (at any depth), read from `store`. */
export async function exportHistory(store: StateStore, executionId: string): Promise<HistoryDocument> {
  const { events, children } = await loadHistory(store, executionId);
  if (events.length === 0) throw new Error(`no execution ${executionId} in this tab's store`);
  return { format: "flux-ts/history", version: 1, executionId, workflow: events[0]!.name, exportedAt: new Date().toISOString(), events, children };
}

/** Thrown for a file that is not a history this page can import, saying what is wrong. */
export class HistoryFormatError extends Error {
  override name = "HistoryFormatError";
}

/**
 * Reads a history from JSON text. Accepts this page's export, a bare array of events (what
 * `store.load(id)` returns, serialized), or an object with an `events` array and an
 * `execution_id`/`executionId` (an inspect response). Event values may be stored JSON text or
 * already-decoded values (those are encoded); times may be ms or ISO strings.
 */
export function parseHistory(text: string): HistoryDocument {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new HistoryFormatError(`the file is not JSON: ${(error as Error).message}`);
  }
  const doc = (Array.isArray(data) ? { events: data } : data) as Record<string, unknown> | null;
  if (doc === null || typeof doc !== "object" || !Array.isArray(doc.events)) {
    throw new HistoryFormatError("expected a history: an array of events, or an object with an `events` array");
  }
  const events = normalizeEvents(doc.events, "the history");
  const first = events[0]!;
  const executionId = String(doc.executionId ?? doc.execution_id ?? first.sourceId);
  const children: Record<string, StoredEvent[]> = {};
  if (doc.children !== undefined && doc.children !== null && typeof doc.children === "object") {
    for (const [id, log] of Object.entries(doc.children as Record<string, unknown>)) {
      if (!id.startsWith(`${executionId}.`)) throw new HistoryFormatError(`the subworkflow ${id} is not a child of ${executionId}`);
      if (!Array.isArray(log)) throw new HistoryFormatError(`the subworkflow ${id} has no event array`);
      children[id] = normalizeEvents(log, `subworkflow ${id}`);
    }
  }
  return { format: "flux-ts/history", version: 1, executionId, workflow: first.name, exportedAt: String(doc.exportedAt ?? ""), events, children };
}

function normalizeEvents(raw: readonly unknown[], where: string): StoredEvent[] {
  if (raw.length === 0) throw new HistoryFormatError(`${where} has no events`);
  // The HTTP API's inspect (snake_case source_id) gives decoded values; the stored form has sourceId
  // and values as JSON text.
  const stored = raw.every((e) => typeof e === "object" && e !== null && !("source_id" in e)
    && typeof (e as { value?: unknown }).value === "string" && isJsonText((e as { value: string }).value));
  return raw.map((item, index) => {
    const e = item as Record<string, unknown>;
    const bad = (what: string) => new HistoryFormatError(`${where}: event ${index} ${what}`);
    if (e === null || typeof e !== "object") throw bad("is not an object");
    const type = e.type;
    if (typeof type !== "string" || !(type in ExecutionEventType)) throw bad(`has the unknown type ${JSON.stringify(type)}`);
    if (index === 0 && type !== ExecutionEventType.WORKFLOW_STARTED) throw bad("must be WORKFLOW_STARTED");
    const id = e.id ?? index;
    if (id !== index) throw bad(`has the id ${JSON.stringify(id)}: events must be numbered 0, 1, 2... without gaps`);
    const sourceId = e.sourceId ?? e.source_id;
    if (typeof sourceId !== "string" || typeof e.name !== "string") throw bad("needs a string sourceId and name");
    const time = typeof e.time === "number" ? e.time : typeof e.time === "string" ? Date.parse(e.time) : Number.NaN;
    if (!Number.isFinite(time)) throw bad(`has no valid time (${JSON.stringify(e.time)})`);
    const value = stored ? e.value as string : encodeValue(e.value);
    return { id: index, type, sourceId, name: e.name, value, time };
  });
}

function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes `doc` into `store` and returns the id it is under: its own id when the store does not
 * have it (or has exactly this history), else a fresh `<id>-import-<n>` (the subworkflows and
 * workflow events renamed with it), so an import never mixes two histories.
 */
export async function importHistory(store: StateStore, doc: HistoryDocument): Promise<string> {
  let target = doc;
  const existing = await store.load(doc.executionId);
  if (existing.length > 0) {
    if (sameLog(existing, doc.events)) return doc.executionId;
    for (let n = 1; ; n += 1) {
      const id = `${doc.executionId}-import-${n}`;
      const other = await store.load(id);
      if (other.length === 0 || sameLog(other, doc.events)) {
        if (other.length > 0) return id;
        target = renameHistory(doc, id);
        break;
      }
    }
  }
  for (const [id, log] of Object.entries(target.children)) {
    if ((await store.load(id)).length === 0) await store.commit(id, log, { expectedSeq: 0 });
  }
  await store.commit(target.executionId, target.events, { expectedSeq: 0 });
  return target.executionId;
}

function sameLog(a: readonly StoredEvent[], b: readonly StoredEvent[]): boolean {
  return a.length === b.length && a.every((e, i) => {
    const o = b[i]!;
    return e.type === o.type && e.sourceId === o.sourceId && e.name === o.name && e.value === o.value && e.time === o.time;
  });
}

/** The same history under another execution id (workflow events' sourceIds and child ids follow). */
export function renameHistory(doc: HistoryDocument, executionId: string): HistoryDocument {
  const renameId = (id: string) => (id === doc.executionId ? executionId : id.startsWith(`${doc.executionId}.`) ? executionId + id.slice(doc.executionId.length) : id);
  const renameLog = (log: readonly StoredEvent[]) => log.map((e) => (e.type.startsWith("WORKFLOW_") ? { ...e, sourceId: renameId(e.sourceId) } : e));
  const children = Object.fromEntries(Object.entries(doc.children).map(([id, log]) => [renameId(id), renameLog(log)]));
  return { ...doc, executionId, events: renameLog(doc.events), children };
}

/** The suggested file name of an export. */
export function historyFileName(doc: HistoryDocument): string {
  return `${doc.workflow}-${doc.executionId.slice(0, 8)}.history.json`;
}
