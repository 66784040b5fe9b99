// Prints the gzipped size of each JS file of the playground build, and fails when the JS the
// page loads up front (its entry script and the modules it preloads) is over the budget.
// Usage: node playground/print-bundle-size.mjs [dist dir]   (after `vite build`)
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const BUDGET_KB = 250;
const dist = process.argv[2] ?? fileURLToPath(new URL("./dist", import.meta.url));
const html = readFileSync(join(dist, "index.html"), "utf8");
const upFront = new Set([...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="\.?\/?([^"]+\.js)"/g)].map((m) => m[1]));

const files = [];
const walk = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else if (/\.(js|css|wasm)$/.test(entry.name)) files.push(relative(dist, path).split("\\").join("/"));
  }
};
walk(dist);

const kb = (bytes) => (bytes / 1024).toFixed(1).padStart(7);
let upFrontGzip = 0;
let lazyGzip = 0;
console.log(`\nplayground bundle (${relative(process.cwd(), dist) || "."}):`);
console.log(`${"file".padEnd(44)} ${"raw KB".padStart(7)} ${"gzip KB".padStart(7)}  loaded`);
for (const file of files.sort()) {
  const bytes = readFileSync(join(dist, file));
  const gzip = gzipSync(bytes, { level: 9 }).length;
  const js = file.endsWith(".js");
  const when = !js ? "(css)" : upFront.has(file) ? "up front" : file === "sw.js" ? "service worker" : "lazily";
  if (js && upFront.has(file)) upFrontGzip += gzip;
  else if (js) lazyGzip += gzip;
  console.log(`${file.padEnd(44)} ${kb(bytes.length)} ${kb(gzip)}  ${when}`);
}
console.log(`\nJS loaded up front: ${kb(upFrontGzip).trim()} KB gzip (budget ${BUDGET_KB} KB); loaded lazily: ${kb(lazyGzip).trim()} KB gzip`);
if (upFront.size === 0) {
  console.error("found no <script src> in index.html: is this a playground build?");
  process.exit(1);
}
if (upFrontGzip > BUDGET_KB * 1024) {
  console.error(`over budget by ${kb(upFrontGzip - BUDGET_KB * 1024).trim()} KB gzip`);
  process.exit(1);
}
