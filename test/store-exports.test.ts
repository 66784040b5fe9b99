import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { exports: Record<string, { types: string; default: string }> };

const entries: Record<string, string[]> = {
  "./adapters/sqlite": ["SqliteStore", "openSqliteStore", "defaultSqlitePath"],
  "./adapters/sql-js": ["SqlJsStore", "openSqlJsStore"],
  "./adapters/d1": ["D1Store", "D1Driver"],
  "./adapters/idb": ["IdbStore", "openIdbStore"],
};

describe("store entry points", () => {
  for (const [entry, names] of Object.entries(entries)) {
    it(`${entry} is declared in package.json and exports ${names.join(", ")}`, async () => {
      const target = pkg.exports[entry];
      expect(target?.types).toBe(target?.default);
      expect(existsSync(join(root, target?.default ?? "missing"))).toBe(true);
      const module = (await import(join(root, target!.default))) as Record<string, unknown>;
      for (const name of names) expect(typeof module[name], name).toBe("function");
    });
  }

  it("keeps node: imports out of the adapters that run in browsers and Workers", () => {
    for (const dir of ["sql", "sql-js", "d1", "idb"]) {
      for (const file of readdirSync(join(root, "adapters", dir)).filter((f) => f.endsWith(".ts"))) {
        expect(readFileSync(join(root, "adapters", dir, file), "utf8"), `adapters/${dir}/${file}`).not.toMatch(/from\s+["']node:|require\(/);
      }
    }
  });
});
