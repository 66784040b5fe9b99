import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testBlobStore } from "./blob-conformance.js";
import { bundleFixture } from "./support/bundle-fixture.js";
import { RemoteBlobStore, unwrapAnswer, type RemoteAnswer } from "./support/remote-blob-store.js";
import { tempDir } from "./support/temp-dir.js";

// R2BlobStore runs inside workerd, on a real local R2 bucket (Miniflare, persisted to a
// directory), driven from Node by plain requests to a Worker of its own: no in-process proxy.
const persist = tempDir("r2");
let script = "";
let mf: Miniflare | undefined;

async function start(): Promise<void> {
  mf = new Miniflare({ modules: true, script, r2Buckets: ["BUCKET"], r2Persist: persist, compatibilityDate: "2026-04-01" });
  await mf.ready;
}

async function send(body: object): Promise<unknown> {
  const response = await mf!.dispatchFetch("http://r2.bridge/", { method: "POST", body: JSON.stringify(body) });
  return unwrapAnswer((await response.json()) as RemoteAnswer, "in workerd");
}

/** An R2BlobStore on the objects under `prefix`, made in the Worker. */
async function openInWorker(prefix: string): Promise<RemoteBlobStore> {
  const handle = (await send({ op: "open", prefix })) as number;
  // JSON has no undefined: the Worker takes { undefined: true } for it.
  return new RemoteBlobStore(prefix, (method, args) => send({ op: "call", handle, method, args: args.map((a) => (a === undefined ? { undefined: true } : a)) }));
}

beforeAll(async () => {
  script = await bundleFixture("../support/r2-blob-worker.ts");
  await start();
});

afterAll(async () => {
  await mf?.dispose();
});

let counter = 0;
testBlobStore({
  name: "R2 (Miniflare)",
  // Each store its own prefix in the one bucket: its objects are those under it.
  open: () => openInWorker(`case-${++counter}/`),
  reopen: (store) => openInWorker((store as RemoteBlobStore).name),
  footprint: async () => (await send({ op: "keys" })) as string[],
});

describe("R2BlobStore", () => {
  it("names objects by prefix and key, flux-blobs/ by default", async () => {
    const store = await openInWorker(undefined as unknown as string);
    await store.put("sha256-default", "x");
    expect(await send({ op: "keys" })).toContain("flux-blobs/sha256-default");
  });

  it("keeps blobs across a restart of workerd on the same persisted R2", async () => {
    const text = JSON.stringify({ restart: "✓".repeat(100_000) });
    const store = await openInWorker("restart/");
    await store.put("sha256-restart", text);
    await mf!.dispose();
    mf = undefined;
    await start();
    const again = await openInWorker("restart/");
    expect((await again.get("sha256-restart")) === text).toBe(true);
  });
});
