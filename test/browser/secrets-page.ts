// The page of the secrets-at-rest test in Chromium: runs the secret workflows on the IndexedDB
// store, then dumps every object store of every IndexedDB database of the page as JSON.
import { openIdbStore } from "../../adapters/idb/index.js";
import { Engine } from "../../src/engine.js";
import { secretsFrom } from "../../src/secrets.js";
import { secretFailure, secretWorkflow } from "../fixtures/secret-workflow.js";

/** What {@link run} answers: the outputs the workflows returned, and the dump. */
export interface SecretsPageResult {
  readonly outputs: unknown[];
  readonly dump: Record<string, Record<string, unknown[]>>;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function dumpAll(): Promise<SecretsPageResult["dump"]> {
  const dump: SecretsPageResult["dump"] = {};
  for (const { name } of await indexedDB.databases()) {
    if (name === undefined) continue;
    const db = await request(indexedDB.open(name));
    const stores: Record<string, unknown[]> = {};
    for (const storeName of Array.from(db.objectStoreNames)) {
      stores[storeName] = await request(db.transaction(storeName, "readonly").objectStore(storeName).getAll());
    }
    db.close();
    dump[name] = stores;
  }
  return dump;
}

async function run(secret: string, canary: string): Promise<SecretsPageResult> {
  const store = await openIdbStore("flux-secrets");
  const engine = new Engine({ store, secrets: secretsFrom({ API_TOKEN: secret }) });
  const outputs = [(await secretWorkflow.run(canary, { engine })).output, (await secretFailure.run(canary, { engine })).output];
  await engine.close();
  return { outputs: JSON.parse(JSON.stringify(outputs, (_key, value: unknown) => (value instanceof Error ? { name: value.name, message: value.message, cause: value.cause } : value))) as unknown[], dump: await dumpAll() };
}

(globalThis as unknown as { runSecrets: typeof run }).runSecrets = run;
document.title = "flux secrets ready";
