import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { openSqlJsStore } from "../adapters/sql-js/index.js";

const run = promisify(execFile);
const child = fileURLToPath(new URL("./fixtures/sql-js-wasm-child.ts", import.meta.url));

async function inFreshProcess(mode: string): Promise<{ ok?: string; error?: string; located: string[] }> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", child, mode], { timeout: 20_000 });
  return JSON.parse(stdout) as { ok?: string; error?: string; located: string[] };
}

// sql.js loads its WebAssembly once per realm; each case here runs where it is loaded first.
describe("sql.js WebAssembly loading", () => {
  it("asks locateFile for sql-wasm.wasm, which Node resolves in the package", async () => {
    const wasm = createRequire(import.meta.url).resolve("sql.js/dist/sql-wasm.wasm");
    const located: string[] = [];
    const store = await openSqlJsStore({ locateFile: (file) => (located.push(file), wasm) });
    await store.setCached("k", "v");
    expect(await store.getCached("k")).toBe("v");
    expect(located).toEqual(["sql-wasm.wasm"]);
    expect(wasm).toMatch(/node_modules\/sql\.js\/dist\/sql-wasm\.wasm$/);
    await store.close();
  });

  it("uses a given wasmBinary without fetching, and names the fix when loading fails", async () => {
    const [binary, missing] = await Promise.all([inFreshProcess("binary"), inFreshProcess("missing")]);
    // Both children's locateFile points at a missing file: only the given binary can have worked.
    expect(binary.ok).toBe("1");
    expect(missing.located).toEqual(["sql-wasm.wasm"]);
    expect(missing.error).toMatch(/^StoreError: cannot load sql\.js's WebAssembly for the in-memory sql\.js database .*pass locateFile or wasmBinary$/);
  });
});
