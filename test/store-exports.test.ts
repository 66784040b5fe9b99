import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
type Target = { types: string; default: string };
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { exports: Record<string, Target | Record<string, Target> | string> };

/** Every { types, default } pair of the exports map, with its subpath and condition. */
function targets(): { entry: string; condition: string; target: Target }[] {
  return Object.entries(pkg.exports).flatMap(([entry, value]) => {
    if (typeof value === "string") return [];
    if ("default" in value && typeof value.default === "string") return [{ entry, condition: "default", target: value as Target }];
    return Object.entries(value as Record<string, Target>).map(([condition, target]) => ({ entry, condition, target }));
  });
}

const entries: Record<string, string[]> = {
  "./adapters/sqlite": ["SqliteStore", "openSqliteStore", "defaultSqlitePath", "MissingDependencyError"],
  "./adapters/sql-js": ["SqlJsStore", "openSqlJsStore", "MissingDependencyError"],
  "./adapters/d1": ["D1Store", "D1Driver"],
  "./adapters/idb": ["IdbStore", "openIdbStore", "IdbBlobStore", "openIdbBlobStore"],
  "./adapters/sql": ["SqlStore", "ensureSchema"],
  "./adapters/postgres": ["PostgresStore", "openPostgresStore", "MissingDependencyError"],
  "./worker": ["createWorker", "R2BlobStore"],
  "./node": ["createNodeEngine", "FileBlobStore", "MemoryBlobStore"],
  "./browser": ["openIdbStore", "IdbBlobStore", "openIdbBlobStore", "MemoryBlobStore"],
  "./durable-object": ["createDurableWorker", "DurableObjectStore", "ExecutionDirectory", "FluxDirectoryObject"],
  "./hono": ["createRouter"],
  "./client": ["createClient"],
};

describe("the exports map", () => {
  it("points every condition at built ESM with its own declarations beside it", () => {
    const all = targets();
    expect(all.length).toBeGreaterThan(10);
    for (const { entry, condition, target } of all) {
      expect(target.default, `${entry} ${condition}`).toMatch(/^\.\/dist\/.*\.js$/);
      expect(target.types, `${entry} ${condition}`).toBe(target.default.replace(/\.js$/, ".d.ts"));
      expect(existsSync(join(root, target.default)), target.default).toBe(true);
      expect(existsSync(join(root, target.types)), target.types).toBe(true);
    }
  });

  it("gives each environment its own entry for flux-ts, and declares every built entry", () => {
    const dot = pkg.exports["."] as Record<string, Target>;
    expect(Object.keys(dot)).toEqual(["workerd", "browser", "node", "default"]); // workerd before browser: wrangler sets both
    expect(dot.node!.default).toBe("./dist/adapters/node/index.js");
    expect(dot.browser!.default).toBe("./dist/adapters/browser/index.js");
    expect(dot.workerd!.default).toBe("./dist/src/index.js");
    const declared = new Set(targets().map(({ target }) => target.default));
    const built = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? built(join(dir, e.name)) : e.name === "index.js" ? [`./${relative(root, join(dir, e.name))}`] : []);
    expect(built(join(root, "dist")).filter((file) => !declared.has(file))).toEqual([]);
  });

  for (const [entry, names] of Object.entries(entries)) {
    it(`${entry} exports ${names.join(", ")}`, async () => {
      const target = pkg.exports[entry] as Target;
      const module = (await import(join(root, target.default))) as Record<string, unknown>;
      for (const name of names) expect(typeof module[name], name).toBe("function");
    });
  }

  it("keeps node: imports out of the adapters that run in browsers and Workers", () => {
    for (const dir of ["sql", "sql-js", "d1", "idb", "browser", "worker", "blobs"]) {
      for (const file of readdirSync(join(root, "adapters", dir)).filter((f) => f.endsWith(".ts"))) {
        expect(readFileSync(join(root, "adapters", dir, file), "utf8"), `adapters/${dir}/${file}`).not.toMatch(/from\s+["']node:|require\(/);
      }
    }
  });
});
