/**
 * The dashboard of `flux start` as a person uses it, in Debian's Chromium (playwright-core): it
 * asks for the token, lists the server's executions, opens one, resumes a paused one from its
 * Resume button, follows a run live while an event is sent to it from elsewhere, shows an
 * error's stack, and opens a history of 10,000 steps with the page responsive (the input
 * latency measured is printed; the rows drawn stay bounded). No request leaves 127.0.0.1.
 * Screenshots go to test-results/ (with UPDATE_SCREENSHOT=1, docs/dashboard.png too).
 */
import { copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { SqliteStore } from "../adapters/sqlite/index.js";
import { createClient, type FluxClient } from "../src/client/index.js";
import { encodeValue } from "../src/serialization.js";
import { repo, userProject } from "./cli-support.js";
import { startFlux, type FluxServer } from "./support/flux-server.js";

const CHROMIUM = "/usr/bin/chromium";
const TOKEN = "dashboard-e2e";
const STEPS = 10_000;
const results = join(repo, "test-results");

const workflows = `
import { queue, task, workflow } from "flux-ts";
const prepare = task("prepare", async (x) => \`prepared \${x}\`);
const explode = task("explode", async () => { const e = new RangeError("out of range"); e.detail = 42; throw e; });
export const approve = workflow("approve", async (ctx) => {
  const prepared = await ctx.run(prepare, ctx.input);
  const answer = await ctx.pause("approval");
  return \`\${prepared}, \${answer}\`;
});
export const waiter = workflow("waiter", async (ctx) => {
  await ctx.run(prepare, "first");
  const go = await ctx.waitForEvent("go");
  await ctx.run(prepare, go);
  return go;
});
export const broken = workflow("broken", async (ctx) => ctx.run(explode));
const single = queue("single", { concurrency: 1 });
export const held = workflow("held", async (ctx) => ctx.pause("hold"), { queue: single });
export const long = workflow("long", async (ctx) => { for (let i = 0; i < ${STEPS}; i++) await ctx.run(prepare, i); return "done"; });
`;

let project: string;
let server: FluxServer;
let browser: Browser;
let page: Page;
let flux: FluxClient;
const offHost: string[] = [];
const pageErrors: string[] = [];

/** Records a finished history of `long` with 10,000 steps straight into the store (running it would take minutes). */
async function recordLongHistory(dir: string): Promise<void> {
  mkdirSync(join(dir, ".flux"), { recursive: true });
  const store = new SqliteStore(join(dir, ".flux", "flux.db"));
  const at = Date.now() - 60_000;
  const events = [{ id: 0, type: "WORKFLOW_STARTED", sourceId: "long-history", name: "long", value: encodeValue(null), time: at }];
  for (let i = 0; i < STEPS; i++) {
    events.push({ id: events.length, type: "TASK_STARTED", sourceId: String(i + 1), name: "prepare", value: encodeValue([i]), time: at + i * 3 });
    events.push({ id: events.length, type: "TASK_COMPLETED", sourceId: String(i + 1), name: "prepare", value: encodeValue(`prepared ${i}`), time: at + i * 3 + 2 });
  }
  events.push({ id: events.length, type: "WORKFLOW_COMPLETED", sourceId: "long-history", name: "long", value: encodeValue("done"), time: at + STEPS * 3 });
  await store.commit("long-history", events, { expectedSeq: 0 });
  await store.close();
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with apt-get install -y chromium`);
  project = userProject({ "workflows.mjs": workflows });
  await recordLongHistory(project);
  server = await startFlux("workflows.mjs", project, [], { FLUX_API_TOKEN: TOKEN });
  flux = createClient({ baseUrl: server.url, token: TOKEN });
  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === "127.0.0.1" || url.protocol === "data:") return route.continue();
    offHost.push(url.href);
    return route.abort();
  });
  page.on("pageerror", (error) => pageErrors.push(error.message));
  mkdirSync(results, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.child.kill("SIGKILL");
  if (project !== undefined) rmSync(project, { recursive: true, force: true });
});

const text = (selector: string) => page.evaluate((s) => document.querySelector(s)?.textContent ?? "", selector);
const stateOf = async (id: string) => ((await text("#execution-head .exec-id")) === id ? text("#execution-state") : "");
const eventTypes = () => page.evaluate(() => [...document.querySelectorAll("table.events .badge")].map((b) => b.textContent ?? ""));

async function open(id: string): Promise<void> {
  await page.fill("#search-id", id);
  await page.press("#search-id", "Enter");
  await expect.poll(() => text("#execution-head .exec-id"), { timeout: 15_000 }).toBe(id);
}

describe("the dashboard of flux start", () => {
  it("asks for the token, lists executions, opens one and resumes it from its button", async () => {
    onTestFailed(async () => console.log(`server:\n${server.output()}\npage:\n${await text("body").catch(() => "")}\nerrors: ${pageErrors.join("\n")}`));
    const paused = await flux.run("approve", "order 7");
    expect(paused.state).toBe("paused");

    await page.goto(`${server.url}/`);
    await page.waitForSelector("#token-form:not([hidden])");
    await page.fill("#token-input", TOKEN);
    await page.click("#token-form button");
    await page.waitForSelector(`li.execution[data-execution="${paused.execution_id}"]`);
    expect(await page.getAttribute(`li.execution[data-execution="${paused.execution_id}"]`, "data-state")).toBe("paused");
    expect(await page.$$eval("li.execution", (items) => items.length)).toBeGreaterThanOrEqual(2); // the long one too

    // Filters: only paused ones.
    await page.selectOption("#filter-state", "paused");
    await expect.poll(() => page.$$eval("li.execution", (items) => items.map((i) => i.getAttribute("data-state")))).toEqual(["paused"]);
    await page.selectOption("#filter-state", "");

    await page.click(`li.execution[data-execution="${paused.execution_id}"]`);
    await expect.poll(() => stateOf(paused.execution_id)).toBe("paused");
    expect(await page.$$eval("#timeline .lane", (lanes) => lanes.length)).toBe(3); // the workflow, prepare, the pause
    await page.fill("#resume-value", "approved by Ana");
    await page.click("#resume-button");
    await expect.poll(() => stateOf(paused.execution_id), { timeout: 15_000 }).toBe("succeeded");
    expect(await text("#execution-output")).toContain("prepared order 7, approved by Ana");
    expect(await eventTypes()).toContain("WORKFLOW_COMPLETED");
    await expect.poll(() => page.getAttribute(`li.execution[data-execution="${paused.execution_id}"]`, "data-state"), { timeout: 15_000 }).toBe("succeeded");
    expect((await flux.inspect(paused.execution_id)).output).toBe("prepared order 7, approved by Ana");

    // The replay check against the server's code (GET /executions/{id}/check).
    await page.click("#replay-button");
    await expect.poll(() => text("#execution-note"), { timeout: 15_000 }).toContain("Compatible with the server's code: 1 recorded step(s) replayed");
  });

  it("follows a run live while an event is sent to it from elsewhere", async () => {
    const started = await flux.run("waiter", undefined);
    expect(started.state).toBe("paused");
    await open(started.execution_id);
    await expect.poll(() => stateOf(started.execution_id)).toBe("paused");
    expect(await page.$("#send-event-button")).not.toBeNull();
    expect(await eventTypes()).not.toContain("EVENT_RECEIVED");
    await page.screenshot({ path: join(results, "dashboard-waiting.png") });

    // Sent by another client: the page learns it from its stream, without a reload.
    await flux.sendEvent("waiter", started.execution_id, "go", "green");
    await expect.poll(() => stateOf(started.execution_id), { timeout: 15_000 }).toBe("succeeded");
    expect(await eventTypes()).toEqual(expect.arrayContaining(["EVENT_RECEIVED", "WORKFLOW_COMPLETED"]));
    expect(await text("#execution-output")).toContain("green");
  });

  it("shows a start waiting on its queue as queued, and cancels it from its button", async () => {
    const first = await flux.start("held", 1);
    await expect.poll(async () => (await flux.inspect(first.execution_id)).state, { timeout: 15_000 }).toBe("paused");
    const second = await flux.start("held", 2);
    expect(second.state).toBe("queued");
    await page.reload();
    await open(second.execution_id);
    await expect.poll(() => stateOf(second.execution_id), { timeout: 15_000 }).toBe("queued");
    await page.click("#cancel-button");
    await expect.poll(() => stateOf(second.execution_id), { timeout: 15_000 }).toBe("cancelled");
    expect((await flux.inspect(second.execution_id)).state).toBe("cancelled");
    await flux.cancel("held", first.execution_id);
  });

  it("shows a failure's stack when its value is clicked", async () => {
    const failed = await flux.run("broken", undefined);
    await open(failed.execution_id);
    await expect.poll(() => stateOf(failed.execution_id)).toBe("failed");
    await page.click('table.events tr:has(.badge:text-is("TASK_FAILED")) td.value');
    const full = await text("table.events tr.detail pre");
    expect(full).toContain("RangeError: out of range");
    expect(full).toMatch(/at .*workflows\.mjs/); // the stack, as recorded
    expect(full).toContain("detail: 42");
    await page.screenshot({ path: join(results, "dashboard-error.png") });
  });

  it("opens a history of 10,000 steps and stays responsive", async () => {
    const started = Date.now();
    await open("long-history");
    await expect.poll(() => stateOf("long-history"), { timeout: 60_000 }).toBe("succeeded");
    console.log(`dashboard: a history of ${STEPS} steps (${2 * STEPS + 2} events) shown in ${Date.now() - started} ms`);
    // Drawn by parts: the timeline's rows in view, the event table's first block.
    const lanes = await page.$$eval("#timeline .lane", (items) => items.length);
    const rows = await page.$$eval("table.events tbody tr", (items) => items.length);
    console.log(`dashboard: ${lanes} timeline rows and ${rows} table rows in the page`);
    expect(lanes).toBeLessThan(200);
    expect(rows).toBeLessThan(1000);

    // Input latency: the longest input event (key presses and a click) while it is shown.
    await page.evaluate(() => {
      (window as unknown as { latencies: number[] }).latencies = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) (window as unknown as { latencies: number[] }).latencies.push(entry.duration);
      }).observe({ type: "event", durationThreshold: 16, buffered: false } as PerformanceObserverInit);
    });
    const typed = Date.now();
    await page.fill("#search-id", "");
    await page.click("#search-id");
    await page.keyboard.type("abc");
    await expect.poll(() => page.inputValue("#search-id")).toBe("abc");
    await page.click("#timeline .lane:nth-child(5)");
    await page.$eval("#timeline", (t) => { t.scrollTop = t.scrollHeight; }); // the last rows are drawn when scrolled to
    await expect.poll(() => page.$$eval("#timeline .lane", (items) => items.map((i) => i.getAttribute("data-lane")).includes(String(10_000)))).toBe(true);
    const worst = await page.evaluate(() => Math.max(0, ...(window as unknown as { latencies: number[] }).latencies));
    console.log(`dashboard: input latency on the 10,000-step history: worst event ${worst.toFixed(0)} ms (Event Timing, events over 16 ms), typing and clicking took ${Date.now() - typed} ms`);
    await page.screenshot({ path: join(results, "dashboard-long.png") });
  });

  it("made no request off 127.0.0.1 and threw no page error; the screenshot of a run is saved", async () => {
    const done = await flux.run("approve", "order 8");
    await flux.resume("approve", done.execution_id, "ok");
    await page.fill("#search-id", "");
    await open(done.execution_id);
    await expect.poll(() => stateOf(done.execution_id)).toBe("succeeded");
    const shot = join(results, "dashboard.png");
    await page.screenshot({ path: shot });
    if (process.env["UPDATE_SCREENSHOT"] === "1") copyFileSync(shot, join(repo, "docs", "dashboard.png"));
    expect(offHost).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
