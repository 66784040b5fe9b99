import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BlobPageApi } from "./browser/idb-blob-page.js";
import { testBlobStore } from "./blob-conformance.js";
import { bundleFixture } from "./support/bundle-fixture.js";
import { launchPage } from "./support/chromium-page.js";
import { RemoteBlobStore, unwrapAnswer } from "./support/remote-blob-store.js";

// IdbBlobStore runs in a real Chromium page, driven from Node with page.evaluate.
const profile = mkdtempSync(join(tmpdir(), "flux-chromium-blobs-"));
let bundle = "";
let context: BrowserContext | undefined;
let page: Page;

async function launch(): Promise<void> {
  ({ context, page } = await launchPage(profile, bundle, "flux blobs ready"));
}

/** An IdbBlobStore of the blob database of `database`, opened in the page. */
async function openInPage(database: string): Promise<RemoteBlobStore> {
  const handle = unwrapAnswer(await page.evaluate((d) => (globalThis as unknown as { fluxBlobs: BlobPageApi }).fluxBlobs.open(d), database), "in Chromium") as number;
  return new RemoteBlobStore(database, async (method, args) =>
    unwrapAnswer(await page.evaluate(([h, m, a]) => (globalThis as unknown as { fluxBlobs: BlobPageApi }).fluxBlobs.call(h, m, a), [handle, method, args] as const), "in Chromium"));
}

beforeAll(async () => {
  bundle = await bundleFixture("../browser/idb-blob-page.ts");
  await launch();
});

afterAll(async () => {
  await context?.close();
  rmSync(profile, { recursive: true, force: true });
});

let counter = 0;
testBlobStore({
  name: "IndexedDB (Chromium)",
  open: () => openInPage(`conformance-${++counter}`),
  reopen: (store) => openInPage((store as RemoteBlobStore).name),
  footprint: async (store) =>
    unwrapAnswer(await page.evaluate((n) => (globalThis as unknown as { fluxBlobs: BlobPageApi }).fluxBlobs.keys(n), `${(store as RemoteBlobStore).name}-blobs`), "in Chromium") as string[],
});

describe("IdbBlobStore in Chromium", () => {
  it("keeps a blob across a browser restart on the same profile", async () => {
    const text = JSON.stringify({ restart: "✓".repeat(100_000) });
    const store = await openInPage("restart");
    await store.put("sha256-restart", text);
    await context!.close();
    await launch();
    const again = await openInPage("restart");
    expect((await again.get("sha256-restart")) === text).toBe(true);
    await again.close();
  });
});
