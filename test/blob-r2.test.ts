import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BlobStore } from "../src/blobs/blob-store.js";
import { StoreError, UsageError } from "../src/errors.js";
import { testBlobStore } from "./blob-conformance.js";
import { bundleFixture } from "./support/bundle-fixture.js";
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

type Answer = { value?: unknown; error?: { name: string; message: string } };
const errorClasses: Record<string, new (message: string) => Error> = { StoreError, UsageError };

async function send(body: object): Promise<unknown> {
  const response = await mf!.dispatchFetch("http://r2.bridge/", { method: "POST", body: JSON.stringify(body) });
  const answer = (await response.json()) as Answer;
  if (answer.error === undefined) return answer.value;
  throw new (errorClasses[answer.error.name] ?? Error)(`[in workerd] ${answer.error.message}`);
}

/** A BlobStore whose every call runs R2BlobStore in the Worker. */
class BridgedR2BlobStore implements BlobStore {
  constructor(readonly handle: number, readonly prefix: string) {}
  static async open(prefix: string) {
    return new BridgedR2BlobStore((await send({ op: "open", prefix })) as number, prefix);
  }
  #call = (method: string, ...args: unknown[]) => send({ op: "call", handle: this.handle, method, args: args.map((a) => (a === undefined ? { undefined: true } : a)) });
  async put(key: string, data: string) {
    await this.#call("put", key, data);
  }
  get = async (key: string) => (await this.#call("get", key)) as string | undefined;
  async delete(key: string) {
    await this.#call("delete", key);
  }
  async close() {
    await this.#call("close");
  }
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
  open: () => BridgedR2BlobStore.open(`case-${++counter}/`),
  reopen: (store) => BridgedR2BlobStore.open((store as BridgedR2BlobStore).prefix),
  footprint: async () => (await send({ op: "keys" })) as string[],
});

describe("R2BlobStore", () => {
  it("names objects by prefix and key, flux-blobs/ by default", async () => {
    const store = await BridgedR2BlobStore.open(undefined as unknown as string);
    await store.put("sha256-default", "x");
    expect(await send({ op: "keys" })).toContain("flux-blobs/sha256-default");
  });

  it("keeps blobs across a restart of workerd on the same persisted R2", async () => {
    const text = JSON.stringify({ restart: "✓".repeat(100_000) });
    const store = await BridgedR2BlobStore.open("restart/");
    await store.put("sha256-restart", text);
    await mf!.dispose();
    mf = undefined;
    await start();
    const again = await BridgedR2BlobStore.open("restart/");
    expect((await again.get("sha256-restart")) === text).toBe(true);
  });
});
