import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BlobStore } from "../src/blobs/blob-store.js";
import { StoreError, UsageError } from "../src/errors.js";
import type { BlobPageApi, BlobPageResult } from "./browser/idb-blob-page.js";
import { testBlobStore } from "./blob-conformance.js";

const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const origin = "http://flux.test";
const root = fileURLToPath(new URL("..", import.meta.url));
const profile = mkdtempSync(join(tmpdir(), "flux-chromium-blobs-"));
let bundle = "";
let context: BrowserContext | undefined;
let page: Page;

/** Launches Chromium on `profile`, serving the page bundle at `origin` (no server, no network). */
async function launch(): Promise<void> {
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium is missing at ${executablePath}: install it (apt-get install -y chromium) or set CHROMIUM_PATH.`);
  }
  context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args });
  await context.route(`${origin}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === "/blob-page.js") return route.fulfill({ contentType: "text/javascript", body: bundle });
    if (path === "/") return route.fulfill({ contentType: "text/html", body: '<!doctype html><script type="module" src="/blob-page.js"></script>' });
    return route.fulfill({ status: 404, body: "" });
  });
  page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => document.title === "flux blobs ready");
}

const errorClasses: Record<string, new (message: string) => Error> = { StoreError, UsageError };

function unwrap(result: BlobPageResult): unknown {
  if (result.error === undefined) return result.value;
  const ErrorClass = errorClasses[result.error.name] ?? Error;
  throw new ErrorClass(`[in Chromium] ${result.error.message}`);
}

/** A BlobStore whose every call runs in the page, on Chromium's IndexedDB. */
class PageBlobStore implements BlobStore {
  constructor(readonly handle: number, readonly database: string) {}

  static async open(database: string): Promise<PageBlobStore> {
    const result = await page.evaluate((d) => (globalThis as unknown as { fluxBlobs: BlobPageApi }).fluxBlobs.open(d), database);
    return new PageBlobStore(unwrap(result) as number, database);
  }

  async #call(method: "put" | "get" | "delete" | "close", ...params: unknown[]): Promise<unknown> {
    const result = await page.evaluate(
      ([handle, m, a]) => (globalThis as unknown as { fluxBlobs: BlobPageApi }).fluxBlobs.call(handle, m, a),
      [this.handle, method, params] as const,
    );
    return unwrap(result);
  }

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
  const output = await build({
    configFile: false, logLevel: "silent", root,
    build: { write: false, minify: false, target: "es2022", lib: { entry: join(root, "test/browser/idb-blob-page.ts"), formats: ["es"], fileName: "blob-page" } },
  });
  const chunk = (Array.isArray(output) ? output : [output]).flatMap((o) => ("output" in o ? o.output : []))[0];
  if (chunk?.type !== "chunk") throw new Error("vite produced no page bundle");
  bundle = chunk.code;
  await launch();
});

afterAll(async () => {
  await context?.close();
  rmSync(profile, { recursive: true, force: true });
});

let counter = 0;
testBlobStore({
  name: "IndexedDB (Chromium)",
  open: () => PageBlobStore.open(`conformance-${++counter}`),
  reopen: (store) => PageBlobStore.open((store as PageBlobStore).database),
  footprint: async (store) => unwrap(await page.evaluate((n) => (globalThis as unknown as { fluxBlobs: BlobPageApi }).fluxBlobs.keys(n), `${(store as PageBlobStore).database}-blobs`)) as string[],
});

describe("IdbBlobStore in Chromium", () => {
  it("keeps a blob across a browser restart on the same profile", async () => {
    const text = JSON.stringify({ restart: "✓".repeat(100_000) });
    const store = await PageBlobStore.open("restart");
    await store.put("sha256-restart", text);
    await context!.close();
    await launch();
    const again = await PageBlobStore.open("restart");
    expect((await again.get("sha256-restart")) === text).toBe(true);
    await again.close();
  });
});
