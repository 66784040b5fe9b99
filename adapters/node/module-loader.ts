import { readFileSync } from "node:fs";
import * as nodeModule from "node:module";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { WorkflowFileError } from "./cli-errors.js";
import type { TypeScriptOptions } from "./typescript-compile.js";

const needsTranspiler = /\.(?:ts|mts|cts|tsx|jsx)$/;
/** What sucrase's hooks leave to tsx: JSX, and CommonJS TypeScript. */
const beyondSucrase = /\.(?:cts|tsx|jsx)$/;
const loaders = ["sucrase", "tsx", "node"] as const;
type Loader = (typeof loaders)[number];
let prepared: Loader | undefined;

/**
 * Makes Node ready to import the user's workflow files `paths` (absolute), once per process:
 *
 * - JavaScript needs nothing: Node (20.19 and later) loads a `.js` file that no package.json
 *   gives a "type" as an ES module when it has `import`/`export`, so it gets the CLI's own copy
 *   of flux-ts. This path loads no transpiler and registers no hooks (a fast start).
 * - TypeScript (.ts, .mts): sucrase when it is installed (an optional peer dependency of
 *   flux-ts), through `typescript-hooks.ts`, which load it only when a file is not in their
 *   cache. On Node 20 they run in Node's module-hooks thread (`module.register`), so that the
 *   CLI's thread never loads sucrase; where Node has `module.registerHooks` (22.15 and later)
 *   they run in the CLI's thread, which spares starting that thread. Else tsx; else Node's own
 *   type stripping where Node has it (22.18 and later).
 * - JSX (.tsx, .jsx) and CommonJS TypeScript (.cts), which sucrase's hooks do not load: tsx,
 *   when it is installed, with `module-format-hooks.ts` registered after it so that it runs first.
 * - `FLUX_TS_LOADER` (sucrase, tsx or node) picks one of them instead.
 *
 * None can: `WorkflowFileError` naming the fix. The library import never needs a transpiler.
 */
export async function prepareToLoad(paths: readonly string[], shown: (path: string) => string): Promise<void> {
  const ts = paths.find((path) => needsTranspiler.test(path));
  if (ts === undefined || prepared !== undefined) return;
  const jsx = paths.find((path) => beyondSucrase.test(path));
  const forced = process.env["FLUX_TS_LOADER"] || undefined;
  if (forced !== undefined && !(loaders as readonly string[]).includes(forced)) {
    throw new WorkflowFileError(`FLUX_TS_LOADER=${forced} is not a TypeScript loader: set it to sucrase, tsx or node, or leave it unset`);
  }
  const order: readonly Loader[] = forced !== undefined ? [forced as Loader] : jsx !== undefined ? ["tsx", "node"] : loaders;
  for (const loader of order) {
    if (await use(loader, jsx)) {
      prepared = loader;
      return;
    }
  }
  const file = shown(jsx ?? ts);
  if (forced !== undefined) {
    const installable = forced === "tsx" || (forced === "sucrase" && jsx === undefined);
    const why = installable ? `${forced} is not installed where flux-ts is`
      : forced === "node" ? `Node ${process.version} does not strip types from it (22.18 and later do, but not from JSX)`
      : "flux's sucrase loader does not load .tsx, .jsx nor .cts files (tsx does)";
    throw new WorkflowFileError(`cannot load ${file}: FLUX_TS_LOADER=${forced}, and ${why}: `
      + `${installable ? `npm install --save-dev ${forced}, or ` : ""}unset FLUX_TS_LOADER`);
  }
  throw new WorkflowFileError(jsx !== undefined
    ? `cannot load ${file}: it is ${/\.[jt]sx$/.test(jsx) ? "JSX" : "CommonJS TypeScript"}, and Node ${process.version} cannot run it by itself: `
      + "install tsx where flux-ts is (npm install --save-dev tsx), or write the file in JavaScript (.js, .mjs)"
    : `cannot load ${file}: it is TypeScript, and Node ${process.version} cannot run it by itself: `
      + "install sucrase where flux-ts is (npm install --save-dev sucrase; tsx works too), or write the file in JavaScript (.js, .mjs), or use Node 22.18 or later");
}

/** Registers `loader` and says true, or says false when it is not there (or cannot load `jsx`, the first JSX or .cts file). */
async function use(loader: Loader, jsx: string | undefined): Promise<boolean> {
  if (loader === "node") return nodeStripsTypes() && (jsx === undefined || jsx.endsWith(".cts"));
  if (loader === "sucrase") {
    if (jsx !== undefined) return false;
    let entry: string;
    try {
      entry = fileURLToPath(import.meta.resolve("sucrase"));
    } catch (error) {
      if (isMissing(error, "sucrase")) return false;
      throw error;
    }
    const data: TypeScriptOptions = { sucrase: entry, sucraseVersion: versionOf(entry, "sucrase"), cacheDir: cacheDir() };
    const { registerHooks } = nodeModule as { registerHooks?: (hooks: { resolve: unknown; load: unknown }) => unknown };
    if (registerHooks === undefined) {
      nodeModule.register("./typescript-hooks.js", import.meta.url, { data });
    } else {
      const hooks = await import("./typescript-hooks.js");
      await hooks.initialize(data);
      registerHooks({ resolve: hooks.resolveSync, load: hooks.loadSync });
    }
    return true;
  }
  try {
    const api = await import("tsx/esm/api");
    api.register();
    nodeModule.register("./module-format-hooks.js", import.meta.url);
    return true;
  } catch (error) {
    if (isMissing(error, "tsx")) return false;
    throw error;
  }
}

/** The loader `prepareToLoad` registered for TypeScript files, if any (for the CLI's messages). */
export function typeScriptLoader(): Loader | undefined {
  return prepared;
}

/** True when this Node strips TypeScript types itself (`process.features.typescript`, Node 22.10+ with it on). */
function nodeStripsTypes(): boolean {
  return Boolean((process.features as { typescript?: unknown }).typescript);
}

function isMissing(error: unknown, name: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && String((error as Error).message).includes(`'${name}`);
}

/** The version in the package.json of the package `name` that holds the file `entry`. */
function versionOf(entry: string, name: string): string {
  for (let dir = dirname(entry); dirname(dir) !== dir; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
      if (pkg.name === name) return String(pkg.version);
    } catch {
      // none here: look further up
    }
  }
  return "unknown";
}

/**
 * Where compiled TypeScript files are kept: `node_modules/.cache/flux-ts` beside the installed
 * flux-ts (this file runs as dist/adapters/node/module-loader.js: the package is three levels up),
 * or in the package's own node_modules when it is not installed in one (this repository).
 */
function cacheDir(): string {
  const root = fileURLToPath(new URL("../../../", import.meta.url));
  const parent = dirname(root);
  return basename(parent) === "node_modules" ? join(parent, ".cache", "flux-ts") : join(root, "node_modules", ".cache", "flux-ts");
}
