// Secrets at rest: after runs that use a secret every way a task can (its result, a thrown error,
// retries, a cached result, a nested step's arguments and result, an uncaught failure), the raw
// bytes of each store hold no trace of the secret: the SQLite file and its WAL, D1's persisted
// files (Miniflare), IndexedDB in Chromium (a dump of every object store, and the profile's
// IndexedDB directory). A canary in the input must be found in the same bytes, so the search
// is known to see what was recorded. Neither answers nor error messages echo the secret.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { chromium } from "playwright-core";
import { build } from "vite";
import { describe, expect, it } from "vitest";
import { D1Store, type D1DatabaseLike } from "../adapters/d1/index.js";
import { openSqliteStore } from "../adapters/sqlite/index.js";
import { Engine, MemoryStore, secretsFrom, type StateStore } from "../src/index.js";
import { createRouter } from "../src/http/index.js";
import type { SecretsPageResult } from "./browser/secrets-page.js";
import { canary, secretFailure, secretWorkflow } from "./fixtures/secret-workflow.js";
import { tempDir } from "./support/temp-dir.js";

const secret = "s3cr3t-VALUE-42";
const root = fileURLToPath(new URL("..", import.meta.url));
const report: string[] = [];

/** How often `text` occurs in `bytes`, as UTF-8 and as UTF-16LE. */
function occurrences(bytes: Buffer, text: string): number {
  let count = 0;
  for (const needle of [Buffer.from(text, "utf8"), Buffer.from(text, "utf16le")]) {
    for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) count += 1;
  }
  return count;
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : entry.isFile() ? [path] : [];
  });
}

/** Counts the secret (and a prefix of it) and the canary in the bytes of every file under `dir`. */
function grep(dir: string): { files: number; bytes: number; secret: number; canary: number } {
  const files = filesUnder(dir);
  let bytes = 0;
  let found = 0;
  let canaries = 0;
  for (const file of files) {
    const content = readFileSync(file);
    bytes += content.length;
    found += occurrences(content, secret) + occurrences(content, secret.slice(0, 10));
    canaries += occurrences(content, canary);
  }
  return { files: files.length, bytes, secret: found, canary: canaries };
}

/** Runs both secret workflows on `store`; returns their outputs. */
async function runOn(store: StateStore): Promise<unknown[]> {
  const engine = new Engine({ store, secrets: secretsFrom({ API_TOKEN: secret }) });
  const outputs = [(await secretWorkflow.run(canary, { engine })).output, (await secretFailure.run(canary, { engine })).output];
  return outputs;
}

function expectRedacted(outputs: unknown[]): void {
  const text = JSON.stringify(outputs, (_key, value: unknown) => (value instanceof Error ? { name: value.name, message: value.message, cause: value.cause } : value));
  expect(text).not.toContain(secret);
  expect(text).toContain("Bearer [secret]");
  expect(text).toContain("the API refused token [secret]");
  expect(text).toContain("inner saw [secret]");
  expect(text).toContain('"byKey":{"[secret]":true}');
  expect(text).toContain("cannot be recorded");
  expect(text).toContain("fallback saw [secret]");
}

describe("secrets never reach a store's bytes, an answer or an error message", () => {
  it("memory store and the HTTP API: events, cache, answers and inspections are redacted", async () => {
    const store = new MemoryStore();
    expectRedacted(await runOn(store));
    // Every recorded event, of every kind (fallback and rollback arguments included).
    for (const { executionId } of (await store.list()).executions) {
      for (const event of await store.load(executionId)) expect(`${event.type} ${event.value}`).not.toContain(secret);
    }
    const kinds = new Set((await Promise.all((await store.list()).executions.map((s) => store.load(s.executionId)))).flat().map((e) => e.type));
    expect([...kinds]).toEqual(expect.arrayContaining(["TASK_FALLBACK_STARTED", "TASK_ROLLBACK_STARTED"]));
    const engine = new Engine({ store, secrets: secretsFrom({ API_TOKEN: secret }), workflows: [secretWorkflow, secretFailure] });
    const app = createRouter(engine);
    const answers: string[] = [];
    for (const name of ["secret_uses", "secret_failure"]) {
      const res = await app.request(`/${name}?inspect=true`, { method: "POST", body: JSON.stringify(canary) });
      const text = await res.text();
      answers.push(text, await (await app.request(`/inspect/${(JSON.parse(text) as { execution_id: string }).execution_id}`)).text());
    }
    const page = await store.list();
    const logs = await Promise.all(page.executions.map((s) => store.load(s.executionId)));
    const raw = JSON.stringify(logs);
    expect(raw).not.toContain(secret);
    expect(raw).toContain(canary);
    for (const answer of answers) expect(answer).not.toContain(secret);
    expect(answers[2]).toContain("the API refused token [secret]");
    report.push(`  memory + HTTP: ${logs.flat().length} events, ${answers.length} answers: secret 0×`);
  });

  it("SQLite: not in the database file, its WAL or its shared memory", async () => {
    const dir = tempDir("secrets-sqlite");
    const store = await openSqliteStore(join(dir, "flux.db"));
    expectRedacted(await runOn(store));
    const open = grep(dir); // with the WAL still there
    await store.close();
    const closed = grep(dir);
    expect(open.canary).toBeGreaterThan(0);
    expect(closed.canary).toBeGreaterThan(0);
    expect([open.secret, closed.secret]).toEqual([0, 0]);
    report.push(`  SQLite: ${open.files} files (${open.bytes} bytes) while open, ${closed.files} after close: secret 0×, canary ${open.canary}× / ${closed.canary}×`);
  });

  it("D1 (Miniflare, persisted): not in any file D1 wrote", async () => {
    const dir = tempDir("secrets-d1");
    const mf = new Miniflare({ modules: true, script: "export default { fetch: () => new Response('') }", d1Databases: { DB: "flux-secrets" }, d1Persist: dir, compatibilityDate: "2026-04-01" });
    try {
      const store = await new D1Store(await mf.getD1Database("DB") as unknown as D1DatabaseLike).ready();
      expectRedacted(await runOn(store));
    } finally {
      await mf.dispose();
    }
    const found = grep(dir);
    expect(found.canary).toBeGreaterThan(0);
    expect(found.secret).toBe(0);
    report.push(`  D1: ${found.files} files (${found.bytes} bytes): secret 0×, canary ${found.canary}×`);
  });

  it("IndexedDB in Chromium: not in a dump of every object store, nor in the profile's IndexedDB files", async () => {
    const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
    if (!existsSync(executablePath)) throw new Error(`Chromium is missing at ${executablePath}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
    const output = await build({
      configFile: false, logLevel: "silent", root,
      build: { write: false, minify: false, target: "es2022", lib: { entry: join(root, "test/browser/secrets-page.ts"), formats: ["es"], fileName: "secrets-page" } },
    });
    const chunk = (Array.isArray(output) ? output : [output]).flatMap((o) => ("output" in o ? o.output : []))[0];
    if (chunk?.type !== "chunk") throw new Error("vite produced no page bundle");
    expect(chunk.code).not.toContain(secret);
    const profile = tempDir("secrets-chromium");
    const context = await chromium.launchPersistentContext(profile, {
      executablePath, headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    let result: SecretsPageResult;
    try {
      await context.route("http://localhost/**", (route) => {
        const path = new URL(route.request().url()).pathname;
        if (path === "/secrets-page.js") return route.fulfill({ contentType: "text/javascript", body: chunk.code });
        return route.fulfill({ contentType: "text/html", body: '<!doctype html><script type="module" src="/secrets-page.js"></script>' });
      });
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto("http://localhost/"); // a secure context: the engine uses crypto.randomUUID
      await page.waitForFunction(() => document.title === "flux secrets ready");
      result = await page.evaluate(([s, c]) => (globalThis as unknown as { runSecrets(s: string, c: string): Promise<SecretsPageResult> }).runSecrets(s, c), [secret, canary] as const);
    } finally {
      await context.close();
    }
    expectRedacted(result.outputs);
    const dump = JSON.stringify(result.dump);
    expect(Object.keys(result.dump)).toContain("flux-secrets");
    expect(dump).toContain(canary);
    expect(dump).not.toContain(secret);
    const idbDir = filesUnder(profile).map((f) => f.slice(0, f.indexOf("IndexedDB") + "IndexedDB".length)).find((d) => d.endsWith("IndexedDB"));
    expect(idbDir, "the profile has an IndexedDB directory").toBeDefined();
    expect(statSync(idbDir!).isDirectory()).toBe(true);
    const found = grep(idbDir!);
    const whole = grep(profile);
    expect(found.canary).toBeGreaterThan(0);
    expect(found.secret).toBe(0);
    expect(whole.secret).toBe(0);
    report.push(`  IndexedDB (Chromium): dump of ${Object.values(result.dump).reduce((n, stores) => n + Object.keys(stores).length, 0)} object stores (${dump.length} chars): secret 0×, canary ${dump.split(canary).length - 1}×; ` +
      `IndexedDB directory ${found.files} files (${found.bytes} bytes): secret 0×, canary ${found.canary}×; whole profile: secret 0×`);
    console.log(`secrets at rest ("${secret}" as UTF-8 and UTF-16, and its first 10 characters):\n${report.join("\n")}`);
  }, 60_000);
});
