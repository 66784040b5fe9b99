import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import { expect } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** A fixture Worker (`test/fixtures/<file>`) bundled by vite into one ES module's text, checked to import no Node built-in. */
export async function bundleFixture(file: string): Promise<string> {
  const output = await build({
    configFile: false, logLevel: "silent", root,
    build: { write: false, minify: false, target: "es2022", lib: { entry: join(root, "test/fixtures", file), formats: ["es"], fileName: "worker" } },
  });
  const chunk = (Array.isArray(output) ? output : [output]).flatMap((o) => ("output" in o ? o.output : []))[0];
  if (chunk?.type !== "chunk") throw new Error(`vite produced no bundle of test/fixtures/${file}`);
  expect(chunk.code).not.toMatch(/from\s+["']node:/);
  return chunk.code;
}

/** The Durable Object bindings of the object host (wrangler.toml's EXECUTIONS and DIRECTORY), as Miniflare takes them. */
export const objectBindings = {
  EXECUTIONS: { className: "FluxExecution", useSQLite: true },
  DIRECTORY: { className: "FluxDirectory", useSQLite: true },
} as const;
