import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CancelRequestedError, ConflictError, ExecutionFinishedError, ExecutionNotFoundError, ExecutionTimeoutError, StoreError, UsageError,
} from "../src/errors.js";
import { idbVersion } from "../adapters/idb/idb-schema.js";
import { ExecutionEventType } from "../src/events.js";
import { decodeValue } from "../src/serialization.js";
import type {
  CancelRequest, Commit, CommitOptions, DueOptions, ExecutionPage, ExecutionSummary, InboxEvent, Lease, ListOptions, LoadPage, StateStore, StoredEvent,
} from "../src/state-store.js";
import type { IdbPageApi, PageResult, Version2Records, Version3Records } from "./browser/idb-page.js";
import { ev, started, T0, tasks } from "./conformance/case-context.js";
import { expectLegacyMigrated, legacyLeases, legacyLogs, legacySummaries } from "./support/legacy-v2.js";
import { expectV3Migrated, v3Logs, v3Summaries } from "./support/legacy-v3.js";
import { expectEveryKind, expectSameAsReference } from "./support/random-commits.js";
import { admitCases, testStateStore } from "./store-conformance.js";

const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const origin = "http://flux.test";
const root = fileURLToPath(new URL("..", import.meta.url));
const profile = mkdtempSync(join(tmpdir(), "flux-chromium-"));
let bundle = "";
let context: BrowserContext;
let pages: Page[] = [];

/** Launches Chromium on `profile`, serving the page bundle at `origin` (no server, no network). */
async function launch(): Promise<void> {
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium is missing at ${executablePath}: install it (apt-get install -y chromium) or set CHROMIUM_PATH. CI's .ci/run installs it.`);
  }
  context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args });
  await context.route(`${origin}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === "/idb-page.js") return route.fulfill({ contentType: "text/javascript", body: bundle });
    if (path === "/") return route.fulfill({ contentType: "text/html", body: '<!doctype html><script type="module" src="/idb-page.js"></script>' });
    return route.fulfill({ status: 404, body: "" });
  });
  pages = [context.pages()[0] ?? (await context.newPage()), await context.newPage()];
  await Promise.all(pages.map(ready));
}

async function ready(page: Page): Promise<void> {
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => document.title === "flux idb ready");
}

const errorClasses: Record<string, new (message: string) => Error> = {
  ConflictError, StoreError, UsageError, ExecutionNotFoundError, ExecutionFinishedError, CancelRequestedError,
};

function unwrap(result: PageResult): unknown {
  if (result.error === undefined) return result.value;
  const ErrorClass = errorClasses[result.error.name] ?? Error;
  throw new ErrorClass(`[in Chromium] ${result.error.message}`);
}

/** A StateStore whose every call runs in the page, on Chromium's IndexedDB. */
class PageStore implements StateStore {
  constructor(readonly page: Page, readonly handle: number, readonly name: string) {}

  static async open(page: Page, name: string): Promise<PageStore> {
    const result = await page.evaluate((n) => (globalThis as unknown as { fluxIdb: IdbPageApi }).fluxIdb.open(n), name);
    return new PageStore(page, unwrap(result) as number, name);
  }

  async #call(method: keyof StateStore, ...params: unknown[]): Promise<unknown> {
    const result = await this.page.evaluate(
      ([handle, m, a]) => (globalThis as unknown as { fluxIdb: IdbPageApi }).fluxIdb.call(handle, m, a),
      [this.handle, method, params] as const,
    );
    return unwrap(result);
  }

  async commit(executionId: string, events: readonly StoredEvent[], options: CommitOptions) {
    await this.#call("commit", executionId, events, options);
  }
  async commitBatch(commits: readonly Commit[]) {
    await this.#call("commitBatch", commits);
  }
  load = async (executionId: string, page?: LoadPage) => (await this.#call("load", executionId, page)) as StoredEvent[];
  get = async (executionId: string) => (await this.#call("get", executionId)) as ExecutionSummary | undefined;
  list = async (options?: ListOptions) => (await this.#call("list", ...(options === undefined ? [] : [options]))) as ExecutionPage;
  getCached = async (key: string) => (await this.#call("getCached", key)) as string | undefined;
  async setCached(key: string, value: string) {
    await this.#call("setCached", key, value);
  }
  lease = async (executionId: string, owner: string, times: { now: number; expiresAt: number }) =>
    (await this.#call("lease", executionId, owner, times)) as Lease & { cancel?: CancelRequest };
  deliver = async (executionId: string, event: Omit<InboxEvent, "seq">) => (await this.#call("deliver", executionId, event)) as InboxEvent;
  pending = async (executionId: string) => (await this.#call("pending", executionId)) as InboxEvent[];
  requestCancel = async (executionId: string, request: CancelRequest) => (await this.#call("requestCancel", executionId, request)) as ExecutionSummary;
  due = async (options: DueOptions) => (await this.#call("due", options)) as ExecutionSummary[];
  async close() {
    await this.#call("close");
  }
}

beforeAll(async () => {
  const output = await build({
    configFile: false, logLevel: "silent", root,
    build: { write: false, minify: false, target: "es2022", lib: { entry: join(root, "test/browser/idb-page.ts"), formats: ["es"], fileName: "idb-page" } },
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
testStateStore({
  name: "IndexedDB (Chromium)",
  create: () => PageStore.open(pages[0]!, `conformance-${++counter}`),
  reopen: async (store) => {
    await store.close();
    return PageStore.open(pages[0]!, (store as PageStore).name);
  },
  // The second handle lives in another tab of the same profile.
  openSecond: (store) => PageStore.open(pages[1]!, (store as PageStore).name),
  skip: [{ reason: "the IndexedDB store has no admit(): queues are not supported on it (a queued start there is a UsageError)", tests: admitCases }],
});

describe("IndexedDB store in Chromium", () => {
  const log = [
    ...started("durable", T0),
    ev(1, ExecutionEventType.TASK_FAILED, { value: new ExecutionTimeoutError("slow", { cause: new Error("inner"), timeout: 5 }) }),
    ...tasks(2, 3),
  ];

  it("keeps committed events across a page reload", async () => {
    const before = await PageStore.open(pages[0]!, "reload");
    await before.commit("e", log, { expectedSeq: 0 });
    await pages[0]!.reload();
    await pages[0]!.waitForFunction(() => document.title === "flux idb ready");
    const after = await PageStore.open(pages[0]!, "reload");
    expect(await after.load("e")).toEqual(log);
    const failure = decodeValue((await after.load("e"))[1]?.value ?? "null");
    expect(failure).toBeInstanceOf(ExecutionTimeoutError);
    expect((failure as Error).cause).toBeInstanceOf(Error);
  });

  it("keeps committed events, summaries and cache across a browser restart on the same profile", async () => {
    const store = await PageStore.open(pages[0]!, "restart");
    await store.commit("e", log, { expectedSeq: 0 });
    await store.commitBatch([{ executionId: "f", events: started("other", T0 + 10), expectedSeq: 0 }]);
    await store.setCached("k", '"v"');
    const page = await store.list();
    await context.close();
    await launch();
    const again = await PageStore.open(pages[0]!, "restart");
    expect(await again.load("e")).toEqual(log);
    expect(await again.list()).toEqual(page);
    expect(page.executions.map((s) => s.executionId)).toEqual(["f", "e"]);
    expect(await again.getCached("k")).toBe('"v"');
    await expect(again.commit("e", tasks(0, 1), { expectedSeq: 0 })).rejects.toBeInstanceOf(ConflictError);
  });

  it("upgrades a version-2 database (leases in their own store) in Chromium: leases carried over, due() exact", async () => {
    const records: Version2Records = {
      executions: legacySummaries.map((l) => ({ executionId: l.id, workflow: "w", state: l.state, events: l.events, createdAt: l.createdAt, updatedAt: l.updatedAt })),
      events: Object.entries(legacyLogs).flatMap(([executionId, log]) => log.map((event) => ({ ...event, executionId }))),
      leases: legacyLeases.map((l) => ({ key: l.id, value: { owner: l.owner, expiresAt: l.expiresAt } })),
      cache: [{ key: "k", value: '"kept"' }],
    };
    unwrap(await pages[0]!.evaluate(([n, r]) => (globalThis as unknown as { fluxIdb: IdbPageApi }).fluxIdb.createVersion2(n, r), ["legacy-v2", records] as const));
    await expectLegacyMigrated(await PageStore.open(pages[0]!, "legacy-v2"));
    const shape = unwrap(await pages[0]!.evaluate((n) => (globalThis as unknown as { fluxIdb: IdbPageApi }).fluxIdb.describe(n), "legacy-v2"));
    expect(shape).toEqual({ version: idbVersion, stores: ["cache", "events", "executions", "inbox"] });
  });

  it("upgrades a version-3 database (no inbox, no cancellation) to the current version in Chromium, keeping its data; inboxes and cancellations then work", async () => {
    const records: Version3Records = {
      executions: Object.values(v3Summaries),
      events: Object.entries(v3Logs).flatMap(([executionId, log]) => log.map((event) => ({ ...event, executionId }))),
      cache: [{ key: "k", value: '"kept"' }],
    };
    unwrap(await pages[0]!.evaluate(([n, r]) => (globalThis as unknown as { fluxIdb: IdbPageApi }).fluxIdb.createVersion3(n, r), ["legacy-v3", records] as const));
    await expectV3Migrated(await PageStore.open(pages[0]!, "legacy-v3"));
    const shape = unwrap(await pages[0]!.evaluate((n) => (globalThis as unknown as { fluxIdb: IdbPageApi }).fluxIdb.describe(n), "legacy-v3"));
    expect(shape).toEqual({ version: idbVersion, stores: ["cache", "events", "executions", "inbox"] });
  });

  it("keeps summaries, inboxes, due lists and conflicts equal to the reference store over random commits", async () => {
    expectEveryKind([await expectSameAsReference(await PageStore.open(pages[0]!, "random"), 44, 150)]);
  });
});
