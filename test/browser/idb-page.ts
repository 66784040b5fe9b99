// The page of the Chromium IndexedDB test: exposes the IndexedDB store to the Node side, which
// drives it with page.evaluate. Errors come back as data (name, message) to be rebuilt there.
import { openIdbStore } from "../../adapters/idb/index.js";
import type { StateStore } from "../../src/state-store.js";

/** What a call returns across the page boundary. */
export type PageResult = { readonly value?: unknown; readonly error?: { readonly name: string; readonly message: string } };

/** The API the page puts on `window.fluxIdb`. */
export interface IdbPageApi {
  open(name: string): Promise<PageResult>;
  call(handle: number, method: string, args: unknown[]): Promise<PageResult>;
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
  call: (handle, method, args) => settle(async () => {
    const store = stores.get(handle) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>> | undefined;
    if (store === undefined) throw new Error(`no store ${handle} in this page`);
    return store[method]!(...args);
  }),
};

(globalThis as unknown as { fluxIdb: IdbPageApi }).fluxIdb = api;
document.title = "flux idb ready";
