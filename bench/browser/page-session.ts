import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { build } from "vite";
import type { IdbBenchApi } from "./idb-bench-page.js";

const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const root = fileURLToPath(new URL("../..", import.meta.url));
// https: crypto.randomUUID (the engine's ids) exists only in a secure context.
const origin = "https://flux.test";

/** Why the browser workloads cannot run here, or `undefined`. */
export function chromiumUnavailable(): string | undefined {
  return existsSync(executablePath) ? undefined : `no Chromium at ${executablePath} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
}

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
async function open(): Promise<{ page: Page; context: BrowserContext; profile: string }> {
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

let session: Promise<{ page: Page; context: BrowserContext; profile: string }> | undefined;

/**
 * Calls `fluxBench[name](...args)` in the benchmark page (headless Chromium, Debian's, through
 * playwright-core), opening the browser on first use; resolves to what it resolves to.
 */
export async function inPage<K extends keyof IdbBenchApi>(name: K, ...args: Parameters<IdbBenchApi[K]>): Promise<number> {
  session ??= open();
  const { page } = await session;
  return page.evaluate(([n, a]) => {
    const api = (globalThis as unknown as { fluxBench: Record<string, (...x: unknown[]) => Promise<number>> }).fluxBench;
    return api[n as string]!(...(a as unknown[]));
  }, [name, args] as const);
}

/** Closes the browser (if it was opened) and removes its profile. */
export async function closePage(): Promise<void> {
  if (session === undefined) return;
  const { context, profile } = await session;
  session = undefined;
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
