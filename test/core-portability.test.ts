import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";

const srcDir = new URL("../src/", import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : []);
}

test("src/ imports nothing environment-specific", () => {
  const files = sources(srcDir);
  expect(files.length).toBeGreaterThan(15);
  const forbidden = /from\s+["'](node:[^"']+|fs|path|os|child_process|better-sqlite3|sql\.js|idb|@hono\/node-server|cloudflare:[^"']+)["']|\brequire\(|\b(process|window|document|localStorage|indexedDB|Deno|Bun)\s*\./;
  const offenders = files.flatMap((file) =>
    readFileSync(file, "utf8").split("\n").flatMap((line, i) =>
      forbidden.test(line) && !line.trim().startsWith("//") && !line.trim().startsWith("*") ? [`${file}:${i + 1}: ${line.trim()}`] : []));
  expect(offenders).toEqual([]);
});

test("src/ compiles with no Node or DOM types (lib ES2022 + WebWorker, types: [])", () => {
  const tsc = new URL("../node_modules/typescript/bin/tsc", import.meta.url).pathname;
  const run = () => execFileSync(process.execPath, [tsc, "-p", join(srcDir, "tsconfig.json"), "--noEmit"], { encoding: "utf8" });
  expect(run).not.toThrow();
}, 60_000);
