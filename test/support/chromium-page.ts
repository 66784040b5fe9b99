import { existsSync } from "node:fs";
import { chromium, type BrowserContext, type Page } from "playwright-core";

const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const origin = "http://flux.test";

/**
 * Launches headless Chromium (`/usr/bin/chromium`, or CHROMIUM_PATH) on the profile directory
 * `profile`, serving a page that runs the ES module `bundle` at http://flux.test/ (no server, no
 * network), and waits until the page sets `document.title` to `ready`. Close the context after.
 */
export async function launchPage(profile: string, bundle: string, ready: string): Promise<{ context: BrowserContext; page: Page }> {
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium is missing at ${executablePath}: install it (apt-get install -y chromium) or set CHROMIUM_PATH.`);
  }
  const context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args });
  await context.route(`${origin}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === "/page.js") return route.fulfill({ contentType: "text/javascript", body: bundle });
    if (path === "/") return route.fulfill({ contentType: "text/html", body: '<!doctype html><script type="module" src="/page.js"></script>' });
    return route.fulfill({ status: 404, body: "" });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${origin}/`);
  await page.waitForFunction((title) => document.title === title, ready);
  return { context, page };
}
