// The StateStore conformance suite, and the engine's example suite, on a Durable Object's SQLite
// storage, in workerd: each store under test is a DurableObjectStore inside a Durable Object
// (Miniflare, useSQLite), which runs the calls the cases (and the engine, in Node) send it; values
// and errors come back as the engine records them (errors rebuilt as their class).
import { Miniflare } from "miniflare";
import { afterAll, beforeAll } from "vitest";
import { registerErrorClass } from "../src/error-classes.js";
import { CancelRequestedError } from "../src/errors.js";
import { decodeValue } from "../src/serialization.js";
import type { StateStore } from "../src/state-store.js";
import { MemoryBlobStore } from "../src/blobs/memory-blob-store.js";
import { testExamples } from "./example-cases.js";
import { testStateStore } from "./store-conformance.js";
import { bundleFixture } from "./support/bundle-fixture.js";

let mf: Miniflare;
let objects = 0;
let handles = 0;

registerErrorClass("CancelRequestedError", CancelRequestedError as never);

beforeAll(async () => {
  mf = new Miniflare({
    modules: true, script: await bundleFixture("do-store-worker.ts"), compatibilityDate: "2026-04-01",
    durableObjects: { STORES: { className: "StoreObject", useSQLite: true } },
  });
}, 60_000);
afterAll(() => mf?.dispose());

async function send(object: string, body: unknown): Promise<unknown> {
  const res = await mf.dispatchFetch("http://localhost/", { method: "POST", headers: { "X-Object": object }, body: JSON.stringify(body) });
  const answer = (await res.json()) as { result?: string; error?: string; undefined?: boolean };
  if (answer.error !== undefined) throw decodeValue(answer.error);
  return answer.undefined === true ? undefined : answer.result === undefined ? undefined : decodeValue(answer.result);
}

/** A StateStore whose every call runs in the Durable Object `object`, on the store `handle` there. */
async function openOn(object: string): Promise<StateStore> {
  const handle = ++handles;
  await send(object, { op: "open", handle });
  const call = (method: keyof StateStore) => (...args: unknown[]) => send(object, { op: "call", handle, method, args });
  const store = Object.fromEntries((["commit", "commitBatch", "load", "get", "list", "due", "deliver", "pending", "requestCancel", "getCached", "setCached", "lease", "admit", "close"] as const)
    .map((method) => [method, call(method)])) as unknown as StateStore;
  objectOf.set(store, object);
  return store;
}
const objectOf = new WeakMap<StateStore, string>();

testStateStore({
  name: "Durable Object SQLite (Miniflare)",
  // A new object per case: its storage is a new, empty database.
  create: async () => {
    const store = await openOn(`store-${++objects}`);
    await store.get("warm-up"); // the schema check and migration, as ready() does
    return store;
  },
  reopen: async (store) => {
    await store.close();
    return openOn(objectOf.get(store)!);
  },
  openSecond: async (store) => openOn(objectOf.get(store)!),
});

testExamples("a Durable Object's SQLite (Miniflare)", () => openOn(`examples-${++objects}`));
// Every value the engine may keep outside its log goes through a blob store (threshold 0).
testExamples("a Durable Object's SQLite (Miniflare), every value in a MemoryBlobStore", () => openOn(`examples-${++objects}`), () => ({
  outputStorage: { blobs: new MemoryBlobStore(), threshold: 0 },
}));
