/**
 * The playground as a person uses it: built with Vite, served from a sub-path on 127.0.0.1,
 * driven in Debian's Chromium through playwright-core. Runs hello world, pauses and resumes,
 * reloads mid-run and after, exports and imports a history, reloads and runs with the network
 * and the server gone (service worker), checks that no request left 127.0.0.1, and saves a screenshot of the timeline in test-results/ (with UPDATE_SCREENSHOT=1,
 * also as docs/playground-timeline.png, the one the README shows). Then sends events to waiting
 * runs (before and after a reload), lets one time out while its page is closed, and cancels a
 * paused and a running execution.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { build, preview } from "vite";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";

const CHROMIUM = "/usr/bin/chromium";
const root = fileURLToPath(new URL("..", import.meta.url));
const PREFIX = "/some/sub-path/"; // the build must work from any static host, not only at /
const types: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".svg": "image/svg+xml" };

let dist: string;
let profile: string;
let server: Server;
let base: string;
let context: BrowserContext;
let page: Page;
let serving = true; // false: the server drops every connection, as if the network were gone
const offHost: string[] = [];
const pageErrors: string[] = [];
const consoleLines: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the playground e2e test drives Debian's Chromium. Install it with \`apt-get update && apt-get install -y chromium\` (.ci/run does).`);
  }
  dist = mkdtempSync(join(tmpdir(), "flux-playground-dist-"));
  profile = mkdtempSync(join(tmpdir(), "flux-playground-profile-"));
  await build({ configFile: join(root, "playground/vite.config.ts"), logLevel: "warn", build: { outDir: dist, emptyOutDir: true } });
  server = createServer((request, response) => {
    if (!serving) return void request.socket.destroy();
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname);
    if (!path.startsWith(PREFIX)) return void response.writeHead(404).end();
    const file = normalize(join(dist, path.slice(PREFIX.length) || "index.html"));
    if (!file.startsWith(dist) || !existsSync(file)) return void response.writeHead(404).end();
    response.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the static server has no port");
  base = `http://127.0.0.1:${address.port}${PREFIX}`;
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
  });
  // Offline: anything not served by the test's own server is refused, and remembered.
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === "127.0.0.1" || url.protocol === "data:" || url.protocol === "blob:") return route.continue();
    offHost.push(url.href);
    return route.abort();
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("console", (message) => consoleLines.push(`[page ${message.type()}] ${message.text()}`));
}, 120_000);

afterAll(async () => {
  await context?.close();
  await new Promise((resolve) => server?.close(resolve));
  for (const dir of [dist, profile]) if (dir) rmSync(dir, { recursive: true, force: true });
});

const ready = () => page.waitForSelector("body[data-ready=true]", { timeout: 15_000 });
/** The text of `selector` now ("" when absent): polled, never waited on. */
const text = (selector: string) => page.evaluate((s) => document.querySelector(s)?.textContent ?? "", selector);
/** The state shown for execution `id` ("" while another one is shown). */
const stateOf = async (id: string) => ((await text("#execution-head .exec-id")) === id ? text("#execution-state") : "");
/** The output shown for execution `id`. */
const outputOf = async (id: string) => ((await text("#execution-head .exec-id")) === id ? text("#execution-output") : "");
/** The state the executions list shows for `id`. */
const listedState = (id: string) => page.evaluate((i) => document.querySelector(`li.execution[data-execution="${i}"]`)?.getAttribute("data-state") ?? "", id);

async function runExample(id: string, input?: string): Promise<string> {
  await page.click(`[data-example=${id}]`);
  if (input !== undefined) await page.fill("#run-input", input);
  const before = await page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get("execution"));
  await page.click("#run-button");
  const handle = await page.waitForFunction((old) => {
    const id = new URLSearchParams(location.hash.slice(1)).get("execution");
    return id !== null && id !== old ? id : undefined;
  }, before);
  return (await handle.jsonValue()) as string;
}

describe("playground", () => {
  it("runs, pauses, resumes, survives reloads, exports and imports, offline", async () => {
    onTestFailed(async () => {
      console.log(`page console:\n${consoleLines.join("\n")}\npage text:\n${await text("body").catch(() => "")}`);
    });
    await page.goto(base);
    await ready();
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true)); // registered once the compiler is in

    // Hello world: the output appears, and the timeline has the workflow and its task.
    const hello = await runExample("hello-world");
    await expect.poll(() => outputOf(hello), { timeout: 10_000 }).toContain("Hello, World");
    expect(await stateOf(hello)).toBe("succeeded");
    expect(await page.locator(".timeline-svg .lane").count()).toBe(2);

    // Pause, then Resume with a value: pause() returns it.
    const approved = await runExample("pause-resume");
    await expect.poll(() => stateOf(approved), { timeout: 10_000 }).toBe("paused");
    await page.fill("#resume-value", "Ada");
    await page.click("#resume-button");
    await expect.poll(() => outputOf(approved), { timeout: 10_000 }).toContain("approved by Ada");

    // A run interrupted by a reload resumes by replay after it.
    const interrupted = await runExample("determinism");
    await expect.poll(() => stateOf(interrupted)).toBe("running");
    await page.reload();
    await ready();
    await expect.poll(() => listedState(interrupted), { timeout: 10_000 }).toBe("succeeded");

    // A pause left across a reload resumes after it.
    const paused = await runExample("pause-resume");
    await expect.poll(() => stateOf(paused), { timeout: 10_000 }).toBe("paused");
    await page.reload();
    await ready();
    await page.click(`li.execution[data-execution="${paused}"]`);
    await expect.poll(() => stateOf(paused)).toBe("paused");
    await page.fill("#resume-value", '"Grace"');
    await page.click("#resume-button");
    await expect.poll(() => outputOf(paused), { timeout: 10_000 }).toContain("approved by Grace");

    // Retries and a fallback (the picture's execution).
    const retries = await runExample("retries-fallback");
    await expect.poll(() => stateOf(retries), { timeout: 15_000 }).toBe("succeeded");

    // After a reload, every execution is listed with its state.
    await page.reload();
    await ready();
    for (const [id, expected] of [[hello, "succeeded"], [approved, "succeeded"], [interrupted, "succeeded"], [paused, "succeeded"], [retries, "succeeded"]] as const) {
      expect(await listedState(id)).toBe(expected);
    }
    await page.click(`li.execution[data-execution="${hello}"]`);
    await expect.poll(() => outputOf(hello)).toContain("Hello, World");

    // The picture of the timeline for the README, with one step selected.
    await page.click(`li.execution[data-execution="${retries}"]`);
    await expect.poll(() => stateOf(retries)).toBe("succeeded");
    await page.locator(".timeline-svg .lane-label", { hasText: "live_exchange_rate" }).first().click();
    // Saved where git ignores it, so a test run leaves the tree clean; UPDATE_SCREENSHOT=1 refreshes the README's.
    const shot = await page.screenshot({ path: join(root, "test-results/playground-timeline.png") });
    if (process.env.UPDATE_SCREENSHOT === "1") writeFileSync(join(root, "docs/playground-timeline.png"), shot);

    // Export a history, import it as if from the CLI (another id), and replay it deterministically.
    await page.click(`li.execution[data-execution="${retries}"]`);
    await expect.poll(() => stateOf(retries)).toBe("succeeded");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-button")]);
    const exported = JSON.parse(readFileSync(await download.path(), "utf8")) as { format: string; executionId: string; events: { type: string; sourceId: string }[] };
    expect(exported.format).toBe("flux-ts/history");
    expect(exported.executionId).toBe(retries);
    expect(exported.events.map((e) => e.type)).toContain("TASK_FALLBACK_COMPLETED");
    const fromCli = "from-the-cli";
    const importedFile = join(profile, "imported.history.json");
    const renamed = exported.events.map((e) => (e.type.startsWith("WORKFLOW_") ? { ...e, sourceId: fromCli } : e));
    writeFileSync(importedFile, JSON.stringify({ executionId: fromCli, events: renamed }));
    await page.setInputFiles("#import-file", importedFile);
    await expect.poll(() => listedState(fromCli)).toBe("succeeded");
    await expect.poll(() => stateOf(fromCli)).toBe("succeeded");
    await page.click("#replay-button");
    await expect.poll(() => text("#execution-note"), { timeout: 10_000 }).toContain("deterministic");

    // Offline once loaded: with the network and the server gone, the page reloads (from its
    // service worker's copies) and runs hello world, compiler chunk and all.
    await context.setOffline(true);
    serving = false;
    await page.reload();
    await ready();
    const offline = await runExample("hello-world");
    await expect.poll(() => outputOf(offline), { timeout: 10_000 }).toContain("Hello, World");
    serving = true;
    await context.setOffline(false);

    // Nothing was requested from anywhere but the test's server, and nothing threw.
    expect(offHost).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it("reloads offline when served by vite preview too (its answers vary by Origin)", async () => {
    const served = await preview({ configFile: join(root, "playground/vite.config.ts"), logLevel: "warn", build: { outDir: dist }, preview: { host: "127.0.0.1", port: 0, open: false } });
    const at = served.resolvedUrls?.local[0];
    if (at === undefined) throw new Error("vite preview did not say where it serves");
    const previewPage = await context.newPage();
    const errors: string[] = [];
    previewPage.on("pageerror", (error) => errors.push(error.message));
    previewPage.on("requestfailed", (request) => errors.push(`${request.url()}: ${request.failure()?.errorText ?? "failed"}`));
    try {
      await previewPage.goto(at);
      await previewPage.waitForSelector("body[data-ready=true]", { timeout: 15_000 });
      await previewPage.evaluate(() => navigator.serviceWorker.ready.then(() => true));
      // Kept once the page told its worker what it loaded: the page, its script and styles, the compiler chunk.
      await expect.poll(() => previewPage.evaluate(async () => (await (await caches.open("flux-playground-v1")).keys()).length), { timeout: 15_000 }).toBeGreaterThanOrEqual(4);
      await served.close();
      await context.setOffline(true);
      await previewPage.reload();
      await previewPage.waitForSelector("body[data-ready=true]", { timeout: 15_000 });
      expect(await previewPage.evaluate(() => getComputedStyle(document.body).display)).not.toBe(""); // styled: its CSS came from the cache
      expect(await previewPage.evaluate(() => document.styleSheets.length)).toBeGreaterThan(0);
      await previewPage.click("[data-example=hello-world]");
      await previewPage.click("#run-button");
      await expect.poll(() => previewPage.evaluate(() => document.querySelector("#execution-output")?.textContent ?? ""), { timeout: 10_000 }).toContain("Hello, World");
      expect(errors).toEqual([]);
    } finally {
      await context.setOffline(false);
      await previewPage.close();
      if (served.httpServer.listening) await served.close();
    }
  }, 90_000);

  it("sends events to waiting runs, lets one time out, and cancels paused and running ones, across reloads", async () => {
    onTestFailed(async () => {
      console.log(`page console:\n${consoleLines.join("\n")}\npage text:\n${await text("body").catch(() => "")}`);
    });
    await page.goto(base);
    await ready();
    const count = (selector: string) => page.locator(selector).count();
    const eventTypes = () => page.evaluate(() => [...document.querySelectorAll("table.events .badge")].map((b) => b.textContent));

    // An event wait: the run suspends on it, drawn as its own lane; Send event (name prefilled) answers it.
    const approved = await runExample("approval-by-event");
    await expect.poll(() => stateOf(approved), { timeout: 10_000 }).toBe("paused");
    await expect.poll(() => count(".timeline-svg .lane-event .seg-event-wait")).toBe(1);
    expect(await page.inputValue("#event-name")).toBe("approval");
    expect(await count("#resume-button")).toBe(0);
    expect(await eventTypes()).toContain("EVENT_WAIT_STARTED");
    // An event no wait takes waits in the inbox (said at once, while the box keeps its focus); the run stays paused.
    await page.fill("#event-name", "reminder");
    await page.fill("#event-payload", "1");
    await page.press("#event-payload", "Enter");
    await expect.poll(() => text("#execution-note")).toBe(`✓ Event "reminder" delivered (#1): it waits in the execution's inbox for a waitForEvent of that name`);
    expect(await stateOf(approved)).toBe("paused");
    await page.fill("#event-name", "approval");
    await page.fill("#event-payload", '{"approved": true, "by": "Ada"}');
    await page.click("#send-event-button");
    await expect.poll(() => outputOf(approved), { timeout: 10_000 }).toContain("order-7 approved by Ada and shipped");
    expect(await stateOf(approved)).toBe("succeeded");
    expect(await count(".timeline-svg .lane-event .seg-event-received")).toBe(1);
    expect(await count(".timeline-svg .lane-event .mark-received")).toBe(1);
    expect(await eventTypes()).toContain("EVENT_RECEIVED");
    await page.screenshot({ path: join(root, "test-results/playground-event.png") });

    // Waiting across a reload: the event is sent from the reloaded page, which continues the run with its code.
    const later = await runExample("approval-by-event");
    await expect.poll(() => stateOf(later), { timeout: 10_000 }).toBe("paused");
    await page.reload();
    await ready();
    await page.click(`li.execution[data-execution="${later}"]`);
    await expect.poll(() => stateOf(later)).toBe("paused");
    await page.fill("#event-payload", "Grace");
    await page.press("#event-payload", "Enter");
    await expect.poll(() => outputOf(later), { timeout: 10_000 }).toContain("order-7 approved by Grace and shipped");

    // A timeout that passes while no page is open: the page that opens next moves the run on.
    const expiring = await runExample("approval-by-event", '{"id": "order-8", "amount": 9, "timeoutMs": 1500}');
    await expect.poll(() => stateOf(expiring), { timeout: 10_000 }).toBe("paused");
    const deadline = Date.now() + 1500;
    await page.goto("about:blank");
    await expect.poll(() => Date.now() > deadline, { timeout: 5_000 }).toBe(true);
    await page.goto(`${base}#execution=${expiring}`);
    await ready();
    await expect.poll(() => listedState(expiring), { timeout: 10_000 }).toBe("succeeded");
    await page.click(`li.execution[data-execution="${expiring}"]`);
    await expect.poll(() => outputOf(expiring)).toContain("order-8 expired: no approval within 1.5 s");
    expect(await count(".timeline-svg .lane-event .seg-event-timeout")).toBe(1);
    expect(await eventTypes()).toContain("EVENT_WAIT_TIMED_OUT");

    // Cancel a paused run after a reload, with a reason.
    const unwanted = await runExample("approval-by-event");
    await expect.poll(() => stateOf(unwanted), { timeout: 10_000 }).toBe("paused");
    await page.reload();
    await ready();
    await page.click(`li.execution[data-execution="${unwanted}"]`);
    await expect.poll(() => stateOf(unwanted)).toBe("paused");
    await page.fill("#cancel-reason", "no longer needed");
    await page.click("#cancel-button");
    await expect.poll(() => stateOf(unwanted), { timeout: 10_000 }).toBe("cancelled");
    expect(await outputOf(unwanted)).toContain("no longer needed");
    await expect.poll(() => listedState(unwanted)).toBe("cancelled");
    expect(await count(".timeline-svg .lane-workflow.status-cancelled .mark-cancelled")).toBe(1);
    expect(await count(".timeline-svg .lane-event.status-cancelled")).toBe(1);
    expect(await eventTypes()).toContain("WORKFLOW_CANCELLED");
    expect(await count("#cancel-button, #send-event-button")).toBe(0);

    // Cancel a run while it runs in this tab: code typed into the editor, a task that runs until stopped.
    await page.click("[data-example=hello-world]");
    await page.click("#editor .cm-content");
    await page.keyboard.press("Control+A");
    await page.keyboard.insertText([
      'import { task, workflow } from "flux-ts";',
      'const forever = task.withContext("forever", (tc) => new Promise((resolve) => tc.signal.addEventListener("abort", () => resolve("stopped"))));',
      'export default workflow("runs_until_cancelled", async (ctx) => ctx.run(forever));',
      "",
    ].join("\n"));
    const before = await page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get("execution"));
    await page.click("#run-button");
    const running = (await (await page.waitForFunction((old) => {
      const id = new URLSearchParams(location.hash.slice(1)).get("execution");
      return id !== null && id !== old ? id : undefined;
    }, before)).jsonValue()) as string;
    await expect.poll(() => stateOf(running), { timeout: 10_000 }).toBe("running");
    await expect.poll(() => count(".timeline-svg .lane-task .seg-running")).toBe(1);
    await page.click("#cancel-button");
    await expect.poll(() => stateOf(running), { timeout: 10_000 }).toBe("cancelled");
    expect(await count(".timeline-svg .lane-task.status-cancelled .seg-cancelled")).toBe(1);

    // After a reload, each is listed with its state.
    await page.reload();
    await ready();
    for (const [id, expected] of [[approved, "succeeded"], [later, "succeeded"], [expiring, "succeeded"], [unwanted, "cancelled"], [running, "cancelled"]] as const) {
      expect(await listedState(id)).toBe(expected);
    }
    expect(offHost).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it("keeps edited code across a reload, says when almost-JSON input is taken as text, shows whole ids, imports read-only, and clears", async () => {
    onTestFailed(async () => {
      console.log(`page console:\n${consoleLines.join("\n")}\npage text:\n${await text("body").catch(() => "")}`);
    });
    // Leave the page first: going to `base` from `base#…` is a same-document navigation, and a
    // draft save still pending from the test before (300 ms after its last edit) would then
    // write its draft back after the clear below.
    await page.goto("about:blank");
    // A load is not an edit: a draft shown when an example is picked is not saved again behind
    // the user's back (it was, 300 ms later, and a draft cleared meanwhile came back). Picking
    // another example saves a pending draft at once, and the three steps run in one task of the
    // page, so a save scheduled by the load would always show here.
    await page.goto(base);
    await ready();
    const kept = await page.evaluate(() => {
      localStorage.setItem("flux-playground-draft:rollback", "// a draft\n");
      document.querySelector<HTMLElement>("[data-example=rollback]")!.click();
      const shown = document.querySelector("#editor .cm-content")!.textContent ?? "";
      localStorage.clear();
      document.querySelector<HTMLElement>("[data-example=hello-world]")!.click();
      return { shown, drafts: Object.keys(localStorage).filter((k) => k.startsWith("flux-playground-draft:")) };
    });
    expect(kept.shown).toContain("// a draft");
    expect(kept.drafts).toEqual([]);
    await page.goto("about:blank");
    await page.goto(base);
    await ready();
    // The test before edited an example's code (kept as its draft): start from the gallery's code.
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await ready();
    await page.click("[data-example=hello-world]");
    expect(await page.isVisible("#reset-code")).toBe(false);
    await page.click("#editor .cm-content");
    await page.keyboard.press("Control+End");
    await page.keyboard.insertText("\n// my own edit\n");
    await expect.poll(() => page.evaluate(() => localStorage.getItem("flux-playground-draft:hello-world") ?? "")).toContain("// my own edit");
    await page.reload();
    await ready();
    await page.click("[data-example=hello-world]");
    expect(await text("#editor .cm-content")).toContain("// my own edit");
    expect(await page.isVisible("#reset-code")).toBe(true);

    // Almost-JSON is run as a string, and the page says so.
    const id = await runExample("hello-world", '{name: "Ada"}');
    await expect.poll(() => text("#compile-status")).toContain("not valid JSON");
    await expect.poll(() => text(`li.execution[data-execution="${id}"] .exec-meta`)).toContain(id!); // the whole id
    await expect.poll(() => listedState(id!), { timeout: 10_000 }).toBe("succeeded");
    // Values are in the event table (shared with the dashboard), not only in tooltips.
    await expect.poll(() => page.evaluate(() => [...document.querySelectorAll("table.events td.value")].map((td) => td.textContent ?? "").join("\n"))).toContain('Hello, {name: \\"Ada\\"}');

    await page.click("#reset-code");
    expect(await text("#editor .cm-content")).not.toContain("// my own edit");

    // A history of a gallery workflow's name is imported read-only, not bound to that code.
    const importedFile = join(profile, "hello.history.json");
    writeFileSync(importedFile, JSON.stringify({ executionId: "imported-hello", events: [
      { id: 0, type: "WORKFLOW_STARTED", sourceId: "imported-hello", name: "hello_world", value: "Bob", time: 1 },
      { id: 1, type: "WORKFLOW_PAUSED", sourceId: "imported-hello", name: "hello_world", value: "x", time: 2 },
    ] }));
    await page.setInputFiles("#import-file", importedFile);
    await expect.poll(() => text("#import-status")).toContain("read-only");
    await expect.poll(() => stateOf("imported-hello")).toBe("paused");
    expect(await page.$("#adopt-button")).not.toBeNull();

    // Clear: every execution goes, after a confirmation.
    page.once("dialog", (dialog) => void dialog.accept());
    await page.click("#clear-button");
    await page.waitForFunction(() => document.querySelector("#executions .empty") !== null && document.body.dataset.ready === "true", undefined, { timeout: 15_000 });
    expect(await listedState("imported-hello")).toBe("");
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
