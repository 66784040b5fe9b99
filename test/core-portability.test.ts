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

/** The runtime imports of each file of src/ (`import type` and `export type` left out: they vanish at build). */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found: string[] = [];
  for (const match of text.matchAll(/^\s*(import|export)\s+(?!type\b)([^;]*?)\s+from\s+["'](\.[^"']+)["']/gms)) {
    const clause = match[2] ?? "";
    // `import { type A, type B }` is type-only too.
    if (/^\{[^}]*\}$/s.test(clause.trim()) && clause.replace(/[{}\s]/g, "").split(",").every((name) => name === "" || name.startsWith("type"))) continue;
    found.push(join(file, "..", match[3]!.replace(/\.js$/, ".ts")));
  }
  return found;
}

test("src/ has no runtime import cycle", () => {
  const graph = new Map(sources(srcDir).map((file) => [file, runtimeImports(file)]));
  const state = new Map<string, "visiting" | "done">();
  const cycles: string[] = [];
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === "done") return;
    if (state.get(file) === "visiting") {
      cycles.push([...path.slice(path.indexOf(file)), file].map((f) => f.slice(srcDir.length)).join(" → "));
      return;
    }
    state.set(file, "visiting");
    for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
    state.set(file, "done");
  };
  for (const file of graph.keys()) visit(file, []);
  expect(graph.size).toBeGreaterThan(30);
  expect(cycles).toEqual([]);
});
