// The package as users get it: `npm pack`, the tarball installed by npm into fresh projects
// outside the repository, then each way of using it (plain node, the CLI, tsc under the usual
// consumer settings, vite, wrangler). Slow by nature (installs, compilers, bundlers): about a
// minute or two; nothing in it is timed.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  consumerProject, copyConsumer, installed, linkBetterSqlite, pack, repo, run, runOk, type Packed,
} from "./support/consumer-project.js";
import { readmeQuickStart } from "./support/readme-quick-start.js";
import { typeCheckMatrix } from "./support/consumer-types.js";
import { browserBuild, workerBuild } from "./support/consumer-web.js";

const devDependencies = (JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { devDependencies: Record<string, string> }).devDependencies;
const dir = join(tmpdir(), `flux-package-${process.pid}`);
let packed: Packed;
let nodeProject: string;
let typeScriptProject: string;
let webProject: string;
let typesProject: string;

beforeAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  packed = await pack(dir);
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
  console.log(`flux-ts tarball: ${packed.files.length} files, ${mb(packed.size)} packed, ${mb(packed.unpackedSize)} unpacked\n`
    + packed.files.map((f) => `  ${f.path} (${f.size} B)`).join("\n"));
  [nodeProject, typeScriptProject, webProject, typesProject] = await Promise.all([
    consumerProject(join(dir, "node"), packed.tarball),
    consumerProject(join(dir, "typescript"), packed.tarball, [`sucrase@${devDependencies["sucrase"]}`]),
    consumerProject(join(dir, "web"), packed.tarball),
    consumerProject(join(dir, "types"), packed.tarball, [`@types/node@${devDependencies["@types/node"]}`, `@cloudflare/workers-types@${devDependencies["@cloudflare/workers-types"]}`]),
  ]);
  linkBetterSqlite(nodeProject);
  copyConsumer("node", nodeProject);
  linkBetterSqlite(typeScriptProject);
  copyConsumer("typescript", typeScriptProject);
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the tarball", { timeout: 180_000 }, () => {
  it("holds the build, the D1 migrations, README, LICENSE and CHANGELOG; no tests, benches, playground or docs", () => {
    const paths = packed.files.map((f) => f.path);
    for (const file of ["package.json", "README.md", "LICENSE", "CHANGELOG.md", "bin/flux.js", "dist/src/index.js", "dist/src/index.d.ts",
      "dist/adapters/node/index.js", "dist/adapters/node/cli.js", "dist/adapters/worker/index.d.ts", "adapters/d1/migrations/0001_init.sql",
      "dist/dashboard/index.html", "dist/src/client/index.js"]) {
      expect(paths, file).toContain(file);
    }
    const unexpected = paths.filter((path) => !/^(?:dist\/|bin\/flux\.js$|adapters\/d1\/migrations\/[^/]+\.sql$|package\.json$|README\.md$|LICENSE$|CHANGELOG\.md$)/.test(path));
    expect(unexpected).toEqual([]);
    // The dashboard flux start serves: its page and its assets, built (no source, no CDN).
    expect(paths.filter((path) => path.startsWith("dist/dashboard/assets/")).map((path) => path.replace(/-[\w-]+\./, ".")).sort()).toEqual(["dist/dashboard/assets/index.css", "dist/dashboard/assets/index.js"]);
    expect(paths.filter((path) => /\.(?:png|tsbuildinfo)$|(?:^|\/)(?:test|bench|playground|docs|\.ci)\//.test(path))).toEqual([]);
  });

  it("installs no native module, no transpiler and no sql.js: hono, idb, @hono/node-server and croner only", () => {
    const { packages, bytes } = installed(webProject);
    console.log(`a bare install of the tarball: ${packages.length} packages, ${(bytes / 1e6).toFixed(1)} MB (${packages.join(", ")})`);
    expect(packages.sort()).toEqual(["@hono/node-server", "croner", "flux-ts", "hono", "idb"]);
  });

  it("passes publint --strict and attw --profile esm-only", async () => {
    const bin = (name: string) => join(repo, "node_modules", ".bin", name);
    const lint = await run(bin("publint"), ["--strict", "--pack", "false", join(webProject, "node_modules", "flux-ts")], repo);
    expect(lint.code, lint.stdout + lint.stderr).toBe(0);
    const attw = await run(bin("attw"), [packed.tarball, "--profile", "esm-only", "--format", "table-flipped"], repo);
    expect(attw.code, attw.stdout + attw.stderr).toBe(0);
  });
});

describe("in Node, with plain node and npx flux", { timeout: 180_000 }, () => {
  it("runs a workflow until its pause, then resumes it in another process, on the default SQLite store", async () => {
    const first = JSON.parse((await runOk(process.execPath, ["app.mjs"], nodeProject)).stdout) as { id: string; state: string };
    expect(first.state).toBe("paused");
    const resumed = JSON.parse((await runOk(process.execPath, ["app.mjs", "resume", first.id], nodeProject)).stdout) as Record<string, unknown>;
    expect(resumed).toEqual({
      id: first.id, state: "succeeded", output: { greeting: "Hello, Ana", approved: "yes" },
      events: ["WORKFLOW_STARTED", "TASK_STARTED", "TASK_COMPLETED", "TASK_PAUSED", "WORKFLOW_PAUSED", "TASK_RESUMED", "WORKFLOW_RESUMED", "WORKFLOW_COMPLETED"],
    });
    expect(readFileSync(join(nodeProject, ".flux", "flux.db")).subarray(0, 15).toString()).toBe("SQLite format 3");
  });

  it("runs README's quick start in a new folder: node, then npx flux exec", async () => {
    const { files, commands } = readmeQuickStart();
    expect(Object.keys(files).length).toBeGreaterThan(0);
    const project = join(dir, "readme");
    mkdirSync(project);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(project, name), text);
    const ran: string[] = [];
    for (const { command, prints } of commands) {
      if (/^(?:mkdir|cd) /.test(command)) continue; // the test's own fresh folder
      if (command.startsWith("npm install flux-ts")) {
        await runOk("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", packed.tarball], project);
        if (command.includes("better-sqlite3")) linkBetterSqlite(project);
        continue;
      }
      const out = await runOk("sh", ["-c", command], project);
      if (command.startsWith("node ")) expect(out.stdout.trim(), command).toBe(prints);
      if (command.startsWith("npx flux exec")) expect(JSON.parse(out.stdout)).toMatchObject({ state: "succeeded", output: "Hello, World" });
      ran.push(command);
    }
    expect(ran.some((c) => c.startsWith("node "))).toBe(true);
    expect(ran.some((c) => c.startsWith("npx flux exec"))).toBe(true);
  });

  it("names the package to install when better-sqlite3 is missing; the in-memory engine needs nothing", async () => {
    const project = copyConsumer("node", join(webProject, "no-sqlite"));
    const failed = await run(process.execPath, ["app.mjs"], project);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/MissingDependencyError: .*needs the package better-sqlite3, which is not installed: npm install better-sqlite3/);
    const cli = await run(join(webProject, "node_modules", ".bin", "flux"), ["exec", "hello.mjs", "hello_world", "World"], project);
    expect(cli.stderr).toMatch(/flux: error: .*npm install better-sqlite3/);
    expect(JSON.parse((await runOk(process.execPath, ["memory.mjs"], project)).stdout)).toEqual({ output: 42 });
  });

  it("asks for sucrase to run a .ts workflow file (the library never needs it), and says how to fix a CommonJS project", async () => {
    const ts = await run("npx", ["--offline", "flux", "exec", "hello.ts", "hello_world", "World"], nodeProject);
    expect(ts.code).toBe(2);
    expect(ts.stderr).toMatch(/cannot load hello\.ts: it is TypeScript.*npm install --save-dev sucrase; tsx works too/);
    const cjs = copyConsumer("node", join(nodeProject, "cjs"));
    writeFileSync(join(cjs, "package.json"), `{ "name": "cjs", "type": "commonjs" }\n`);
    writeFileSync(join(cjs, "hello.js"), readFileSync(join(cjs, "hello.mjs"), "utf8"));
    const ran = await run("npx", ["--offline", "flux", "exec", "cjs/hello.js", "hello_world", "World"], nodeProject);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/loads as CommonJS \("type": "commonjs" in .*cjs\/package\.json\).*set "type": "module" .*or rename the file hello\.mjs/);
  });

  it("runs a project of several .ts files with sucrase installed beside flux-ts (an optional peer), and caches them in its node_modules", async () => {
    const ran = await runOk("npx", ["--offline", "flux", "exec", "orders.ts", "ordered", '{"id": "a1", "level": 5}'], typeScriptProject);
    expect(JSON.parse(ran.stdout)).toMatchObject({ state: "succeeded", output: "order a1 High 10" });
    const cache = join(typeScriptProject, "node_modules", ".cache", "flux-ts");
    const cached = readdirSync(cache).map((name) => readFileSync(join(cache, name), "utf8"));
    expect(cached.some((entry) => entry.includes("export enum Level"))).toBe(true);
    expect(installed(typeScriptProject).packages).toContain("sucrase");
  });
});

describe("types", { timeout: 180_000 }, () => {
  it("tsc --noEmit passes under node16, nodenext and bundler, with Node, Workers or DOM types only, strictest settings", async () => {
    const results = await typeCheckMatrix(typesProject);
    console.log(results.map((r) => `${r.ok ? "✓" : "✗"} tsc ${r.name}`).join("\n"));
    expect(results).toHaveLength(9);
    expect(results.filter((r) => !r.ok).map((r) => `${r.name}:\n${r.output}`)).toEqual([]);
  }, 300_000);
});

describe("bundlers", { timeout: 180_000 }, () => {
  it("vite build takes the browser entry: the page runs its workflow on IndexedDB, in Chromium", async () => {
    const page = await browserBuild(webProject);
    expect(page.bundle).not.toContain("better-sqlite3");
    expect(page.output).toEqual({ output: "Hello, World" });
    expect(page.databases).toContain("flux");
  });

  it("wrangler deploy --dry-run bundles a Worker made with flux-ts/worker; it runs in workerd on D1 with the shipped migrations, and type-checks with `wrangler types`", async () => {
    const worker = await workerBuild(webProject);
    expect(worker.typeCheck.code, worker.typeCheck.stdout + worker.typeCheck.stderr).toBe(0);
    expect(worker.bundle).not.toMatch(/from\s*["']node:|better-sqlite3|indexedDB/);
    expect(worker.bundle.match(/\bWorkflow\d* = class\b|\bclass Workflow\b/g)).toHaveLength(1);
    expect(worker.migrations).toMatch(/0001_init\.sql.*0002_leases\.sql/s);
    expect(worker.response).toMatchObject({ status: 200, body: { name: "hello_world", output: "Hello, World", state: "succeeded" } });
  });
});
