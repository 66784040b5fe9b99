/**
 * Node module hooks (`module.register`) that load the user's TypeScript workflow files (.ts,
 * .mts) with sucrase: what the CLI registers when sucrase is installed (`module-loader.ts`). They
 * run in Node's module-hooks thread, and only what is TypeScript goes through sucrase
 * (`typescript-compile.ts`); everything else is left to Node as it is.
 *
 * - Format: a .mts file, and a .ts file whose nearest package.json has `"type": "module"` or no
 *   `"type"`, is an ES module, so that its `import ... from "flux-ts"` gets the CLI's own copy of
 *   flux-ts. A .ts file under `"type": "commonjs"` is left to Node, which refuses it; the CLI
 *   then says how to fix the project.
 * - Resolution, in a TypeScript file only, when Node finds no file: `./x.js` is `./x.ts` (what
 *   TypeScript's own resolution asks you to write), `./x.mjs` is `./x.mts`, and `./x` is `./x.ts`
 *   or `./x/index.ts`, as tsx resolves them. (A .tsx file found so is left to Node, which refuses
 *   it: the CLI then says to load the files with tsx.)
 */
import type {
  InitializeHook, LoadFnOutput, LoadHook, LoadHookContext, ResolveFnOutput, ResolveHook, ResolveHookContext,
} from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileTypeScript, type TypeScriptOptions } from "./typescript-compile.js";

let options: TypeScriptOptions = { sucrase: "sucrase", sucraseVersion: "", cacheDir: "" };

/** Receives what `module.register` passes (or the CLI, in its own thread): where sucrase is, and the cache folder. */
export const initialize: InitializeHook<TypeScriptOptions> = (data) => {
  options = data;
};

/** The resolve hook, for `module.register` (Node's module-hooks thread). */
export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  let result: ResolveFnOutput | undefined;
  try {
    result = await nextResolve(specifier, context);
  } catch (error) {
    for (const candidate of typeScriptCandidates(error, specifier, context)) {
      try {
        result = await nextResolve(candidate, context);
        break;
      } catch {
        // not this one
      }
    }
    if (result === undefined) throw error;
  }
  return withFormat(result);
};

/** The load hook, for `module.register` (Node's module-hooks thread). */
export const load: LoadHook = async (url, context, nextLoad) => {
  if (!compiles(url, context)) return nextLoad(url, context);
  return compiled(url, await nextLoad(url, context));
};

/** `resolve`, synchronous, for `module.registerHooks` (Node 22.15 and later: hooks in the CLI's own thread). */
export function resolveSync(
  specifier: string,
  context: ResolveHookContext,
  nextResolve: (specifier: string, context?: Partial<ResolveHookContext>) => ResolveFnOutput,
): ResolveFnOutput {
  try {
    return withFormat(nextResolve(specifier, context));
  } catch (error) {
    for (const candidate of typeScriptCandidates(error, specifier, context)) {
      try {
        return withFormat(nextResolve(candidate, context));
      } catch {
        // not this one
      }
    }
    throw error;
  }
}

/** `load`, synchronous, for `module.registerHooks`. */
export function loadSync(
  url: string,
  context: LoadHookContext,
  nextLoad: (url: string, context?: Partial<LoadHookContext>) => LoadFnOutput,
): LoadFnOutput {
  return compiles(url, context) ? compiled(url, nextLoad(url, context)) : nextLoad(url, context);
}

const typeScriptPath = /\.m?ts$/;
const notFound = new Set(["ERR_MODULE_NOT_FOUND", "ERR_UNSUPPORTED_DIR_IMPORT"]);

function typeScriptUrl(url: string): boolean {
  return url.startsWith("file:") && typeScriptPath.test(url.replace(/[?#].*$/, ""));
}

/** A TypeScript file that is an ES module gets format "module", which `load` compiles. */
function withFormat(result: ResolveFnOutput): ResolveFnOutput {
  return typeScriptUrl(result.url) && isModule(result.url) ? { ...result, format: "module" } : result;
}

function compiles(url: string, context: LoadHookContext): boolean {
  return context.format === "module" && typeScriptUrl(url);
}

function compiled(url: string, loaded: LoadFnOutput): LoadFnOutput {
  const { source } = loaded;
  const text = typeof source === "string" ? source : Buffer.from(source as Uint8Array).toString("utf8");
  return { format: "module", source: compileTypeScript(text, fileURLToPath(url), options), shortCircuit: true };
}

/**
 * The TypeScript files `specifier` may mean when Node found none (`error`), in the order to try
 * them: only for a relative or absolute specifier in a TypeScript file.
 */
function typeScriptCandidates(error: unknown, specifier: string, context: ResolveHookContext): string[] {
  const parent = context.parentURL;
  const code = (error as { code?: unknown } | null)?.code;
  if (parent === undefined || !typeScriptUrl(parent) || !notFound.has(String(code)) || !/^(?:\.\.?\/|\/|file:)/.test(specifier) || /[?#]/.test(specifier)) {
    return [];
  }
  // .tsx is looked for too, so that Node names the file it cannot load (the CLI then says to use tsx).
  return specifier.endsWith(".js") ? [`${specifier.slice(0, -3)}.ts`, `${specifier.slice(0, -3)}.tsx`]
    : specifier.endsWith(".mjs") ? [`${specifier.slice(0, -4)}.mts`]
    : specifier.endsWith("/") ? [`${specifier}index.ts`]
    : /\/[^/.]+$/.test(specifier) ? [`${specifier}.ts`, `${specifier}.tsx`, `${specifier}/index.ts`]
    : [];
}

const packageTypes = new Map<string, unknown>();

/** True for a .mts file, and for a .ts file whose nearest package.json says "type": "module" or has no "type". */
function isModule(url: string): boolean {
  const path = fileURLToPath(url);
  if (path.endsWith(".mts")) return true;
  const type = packageType(dirname(path));
  return type === undefined || type === "module";
}

/** The "type" of the nearest package.json at or above `dir` (undefined when none says). */
function packageType(dir: string): unknown {
  if (packageTypes.has(dir)) return packageTypes.get(dir);
  let type: unknown;
  try {
    type = (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { type?: unknown }).type;
  } catch (error) {
    // No package.json here: the one above decides. An unreadable one: as Node, no "type".
    type = (error as { code?: unknown }).code === "ENOENT" && dirname(dir) !== dir ? packageType(dirname(dir)) : undefined;
  }
  packageTypes.set(dir, type);
  return type;
}
