import { existsSync, readdirSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import { Miniflare } from "miniflare";
import { chromium } from "playwright-core";
import { copyConsumer, repo, run, runOk, type Ran } from "./consumer-project.js";

const wranglerEnv = { WRANGLER_SEND_METRICS: "false", WRANGLER_HIDE_BANNER: "true", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const types: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css" };

/** What the page built by vite did in Chromium. */
export interface BrowserRun {
  readonly bundle: string;
  readonly output: unknown;
  readonly databases: readonly string[];
}

/**
 * `vite build` of test/consumers/web in `project` (flux-ts installed there), then the built
 * page in headless Chromium (served from memory at http://consumer.test): what the page
 * printed, and the IndexedDB databases of its origin.
 */
export async function browserBuild(project: string): Promise<BrowserRun> {
  const web = copyConsumer("web", join(project, "web"));
  await runOk(process.execPath, [join(repo, "node_modules", "vite", "bin", "vite.js"), "build", "--logLevel", "warn"], web);
  const dist = join(web, "dist");
  const assets = readdirSync(join(dist, "assets")).filter((f) => f.endsWith(".js"));
  const bundle = assets.map((f) => readFileSync(join(dist, "assets", f), "utf8")).join("\n");
  if (!existsSync(chromiumPath)) throw new Error(`Chromium is missing at ${chromiumPath}: apt-get install -y chromium, or set CHROMIUM_PATH`);
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
  try {
    const page = await browser.newPage();
    await page.route("http://consumer.test/**", (route) => {
      const path = new URL(route.request().url()).pathname;
      const file = join(dist, path === "/" ? "index.html" : path);
      if (!file.startsWith(dist) || !existsSync(file)) return route.fulfill({ status: 404, body: "" });
      return route.fulfill({ contentType: types[extname(file)] ?? "application/octet-stream", body: readFileSync(file) });
    });
    await page.goto("http://consumer.test/");
    await page.waitForFunction(() => document.querySelector("#out")?.textContent?.startsWith("{"));
    const printed = JSON.parse((await page.textContent("#out"))!) as { id: string; output: unknown };
    const databases = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? ""));
    return { bundle, output: { output: printed.output }, databases };
  } finally {
    await browser.close();
  }
}

/** What the Worker built by wrangler did in workerd. */
export interface WorkerRun {
  readonly bundle: string;
  readonly migrations: string;
  readonly response: { status: number; body: unknown };
  /** tsc of the Worker with the runtime types `wrangler types` generated. */
  readonly typeCheck: Ran;
}

/**
 * `wrangler deploy --dry-run` of test/consumers/worker copied into `project`, `wrangler d1 migrations
 * apply --local` from the migrations in the installed package, then the bundle in workerd
 * (Miniflare) on that D1: one POST /hello_world. Also `wrangler types` and tsc with the types it
 * generated.
 */
export async function workerBuild(project: string): Promise<WorkerRun> {
  const worker = copyConsumer("worker", project); // wrangler.toml beside node_modules, as in a Worker project
  const wrangler = join(repo, "node_modules", "wrangler", "bin", "wrangler.js");
  await runOk(process.execPath, [wrangler, "deploy", "--dry-run", "--outdir", "out"], worker, wranglerEnv);
  const migrated = await runOk(process.execPath, [wrangler, "d1", "migrations", "apply", "DB", "--local", "--persist-to", "state"], worker, wranglerEnv);
  await runOk(process.execPath, [wrangler, "types"], worker, wranglerEnv);
  const typeCheck = await run(process.execPath, [join(repo, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], worker);
  const bundle = readFileSync(join(worker, "out", "index.js"), "utf8");
  const config = readFileSync(join(worker, "wrangler.toml"), "utf8");
  const mf = new Miniflare({
    modules: true, script: bundle, compatibilityDate: /compatibility_date = "([^"]+)"/.exec(config)![1]!,
    d1Databases: { DB: /database_id = "([^"]+)"/.exec(config)![1]! }, d1Persist: join(worker, "state", "v3", "d1"),
  });
  try {
    const res = await mf.dispatchFetch("http://localhost/hello_world", { method: "POST", headers: { "Content-Type": "application/json" }, body: '"World"' });
    return { bundle, migrations: migrated.stdout, response: { status: res.status, body: await res.json() }, typeCheck };
  } finally {
    await mf.dispose();
  }
}
