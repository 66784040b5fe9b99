// A browser project with the DOM lib only: the browser entry and the IndexedDB store.
import { DEFAULT_DATABASE, DeferredStore, openIdbStore } from "flux-ts/browser";
import { IdbStore } from "flux-ts/adapters/idb";
import { useTheCore } from "./common.js";

const store = new DeferredStore(() => openIdbStore(DEFAULT_DATABASE));
export const ran: Promise<string> = useTheCore(store);
export const opened: Promise<IdbStore> = openIdbStore("other");
document.title = DEFAULT_DATABASE;
