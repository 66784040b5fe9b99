import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { build } from "vite";
import type { IdbBenchApi } from "../browser/idb-bench-page.js";
import type { Workload } from "../lib/workload.js";

const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const root = fileURLToPath(new URL("../..", import.meta.url));
// https: crypto.randomUUID (the engine's ids) exists only in a secure context.
const origin = "https://flux.test";
const steps = 1_000;

let session: Promise<{ page: Page; context: BrowserContext; profile: string }> | undefined;

/** The page bundle (engine + IndexedDB store), built with Vite's build API, not minified. */
async function pageBundle(): Promise<string> {
  const output = await build({
    configFile: false, logLevel: "silent", root,
    build: { write: false, minify: false, target: "es2022", lib: { entry: join(root, "bench/browser/idb-bench-page.ts"), formats: ["es"], fileName: "idb-bench-page" } },
  });
  const chunk = (Array.isArray(output) ? output : [output]).flatMap((o) => ("output" in o ? o.output : []))[0];
  if (chunk?.type !== "chunk") throw new Error("vite produced no page bundle");
  return chunk.code;
}

/** Headless Chromium on a fresh profile, serving the bundle at a fake origin (no server, no network). */
async function open() {
  const bundle = await pageBundle();
  const profile = mkdtempSync(join(tmpdir(), "flux-bench-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args });
  await context.route(`${origin}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === "/page.js") return route.fulfill({ contentType: "text/javascript", body: bundle });
    if (path === "/") return route.fulfill({ contentType: "text/html", body: '<!doctype html><script type="module" src="/page.js"></script>' });
    return route.fulfill({ status: 404, body: "" });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => document.title === "flux bench ready");
  return { page, context, profile };
}

/**
 * A new execution of 1,000 sequential no-op steps in headless Chromium (Debian's, through
 * playwright-core), on the IndexedDB store: one strict-durability transaction per step. The
 * floor variants time bare one-put transactions (no engine) in the same browser.
 */
const browserIdb: Workload = {
  title: "Browser: sequential, 1,000 steps",
  unit: "steps/s",
  target: { value: 500, better: "higher", on: "idb" },
  // The floors: bare one-put IndexedDB transactions, no engine, with each durability.
  variants: ["idb", "store alone: 1 commit/step", "floor: 1-put txn, strict", "floor: 1-put txn, relaxed"],
  async unavailable() {
    return existsSync(executablePath) ? undefined : `no Chromium at ${executablePath} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
  },
  async measure(variant) {
    session ??= open();
    const { page } = await session;
    if (variant === "idb") return page.evaluate((n) => (globalThis as unknown as { fluxBench: IdbBenchApi }).fluxBench.sequential(n), steps);
    if (variant.startsWith("store")) return page.evaluate((n) => (globalThis as unknown as { fluxBench: IdbBenchApi }).fluxBench.commits(n), steps);
    const durability = variant.endsWith("strict") ? "strict" : "relaxed";
    return page.evaluate(([n, d]) => (globalThis as unknown as { fluxBench: IdbBenchApi }).fluxBench.floor(n, d), [steps, durability] as const);
  },
  async teardown() {
    if (session === undefined) return;
    const { context, profile } = await session;
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  },
};
export default browserIdb;
