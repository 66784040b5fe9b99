// The page of the Chromium IndexedDB test: exposes the IndexedDB store to the Node side, which
// drives it with page.evaluate. Errors come back as data (name, message) to be rebuilt there.
import { openIdbStore } from "../../adapters/idb/index.js";
import type { StateStore } from "../../src/state-store.js";

/** What a call returns across the page boundary. */
export type PageResult = { readonly value?: unknown; readonly error?: { readonly name: string; readonly message: string } };

/** What {@link IdbPageApi.createVersion2} writes: records per object store (`leases` keyed by execution id). */
export interface Version2Records {
  readonly executions: readonly object[];
  readonly events: readonly object[];
  readonly leases: readonly { readonly key: string; readonly value: object }[];
  readonly cache: readonly { readonly key: string; readonly value: string }[];
}

/** What {@link IdbPageApi.createVersion3} writes: summaries and events as version 3 kept them, and cache entries. */
export interface Version3Records {
  readonly executions: readonly object[];
  readonly events: readonly object[];
  readonly cache: readonly { readonly key: string; readonly value: string }[];
}

/** The API the page puts on `window.fluxIdb`. */
export interface IdbPageApi {
  open(name: string): Promise<PageResult>;
  call(handle: number, method: string, args: unknown[]): Promise<PageResult>;
  /** Writes a database as flux-ts wrote IndexedDB version 2 (with its `leases` store), holding `records`. */
  createVersion2(name: string, records: Version2Records): Promise<PageResult>;
  /** Writes a database as flux-ts wrote IndexedDB version 3 (no inbox; index `byWake`), holding `records`. */
  createVersion3(name: string, records: Version3Records): Promise<PageResult>;
  /** The version and object stores of a database (opened without upgrading it). */
  describe(name: string): Promise<PageResult>;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Writes a database at IndexedDB `version` 2 (with `leases`) or 3 (with the `byWake` index instead) holding `records`. */
async function createOld(name: string, version: 2 | 3, records: Version2Records): Promise<boolean> {
  const open = indexedDB.open(name, version);
  open.onupgradeneeded = () => {
    const db = open.result;
    db.createObjectStore("events", { keyPath: ["executionId", "id"] });
    const executions = db.createObjectStore("executions", { keyPath: "executionId" });
    executions.createIndex("newest", ["createdAt", "executionId"]);
    executions.createIndex("byWorkflow", ["workflow", "createdAt", "executionId"]);
    executions.createIndex("byState", ["state", "createdAt", "executionId"]);
    executions.createIndex("byWorkflowState", ["workflow", "state", "createdAt", "executionId"]);
    db.createObjectStore("cache");
    if (version === 2) db.createObjectStore("leases");
    else executions.createIndex("byWake", ["wakeAt", "executionId"]);
  };
  const db = await request(open);
  const names = version === 2 ? ["executions", "events", "leases", "cache"] : ["executions", "events", "cache"];
  const tx = db.transaction(names, "readwrite");
  for (const record of records.executions) tx.objectStore("executions").put(record);
  for (const record of records.events) tx.objectStore("events").put(record);
  for (const { key, value } of records.leases) tx.objectStore("leases").put(value, key);
  for (const { key, value } of records.cache) tx.objectStore("cache").put(value, key);
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
  db.close();
  return true;
}

const stores = new Map<number, StateStore>();
let next = 0;

async function settle(run: () => Promise<unknown>): Promise<PageResult> {
  try {
    return { value: await run() };
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    return { error: { name, message } };
  }
}

const api: IdbPageApi = {
  open: (name) => settle(async () => {
    const handle = ++next;
    stores.set(handle, await openIdbStore(name));
    return handle;
  }),
  createVersion2: (name, records) => settle(() => createOld(name, 2, { ...records, leases: records.leases })),
  createVersion3: (name, records) => settle(() => createOld(name, 3, { ...records, leases: [] })),
  describe: (name) => settle(async () => {
    const db = await request(indexedDB.open(name));
    const shape = { version: db.version, stores: Array.from(db.objectStoreNames) };
    db.close();
    return shape;
  }),
  call: (handle, method, args) => settle(async () => {
    const store = stores.get(handle) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>> | undefined;
    if (store === undefined) throw new Error(`no store ${handle} in this page`);
    return store[method]!(...args);
  }),
};

(globalThis as unknown as { fluxIdb: IdbPageApi }).fluxIdb = api;
document.title = "flux idb ready";
