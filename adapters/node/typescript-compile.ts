/**
 * TypeScript workflow files compiled with sucrase, for the module hooks of `typescript-hooks.ts`.
 * Both run in Node's module-hooks thread: the CLI's own thread never loads sucrase (nor this
 * file), and sucrase itself is loaded only when a file is not in the cache yet.
 *
 * sucrase removes the types and compiles what TypeScript adds to JavaScript that has to run
 * (enums, parameter properties, `import x = require()`), file by file, keeping every line where it
 * was, so that a stack trace's line numbers are the .ts file's without a source map. It does not
 * compile namespaces that hold values (it drops them: `refuseValueNamespaces` makes that an
 * error) nor decorators (they are left in, and Node rejects them).
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { threadId } from "node:worker_threads";

/** What the CLI hands the hooks (`module.register`'s data): plain strings, so that it can be cloned. */
export interface TypeScriptOptions {
  /** sucrase's entry file (a path), as resolved from flux-ts's installation. */
  readonly sucrase: string;
  /** sucrase's version: part of every cache entry, so that an upgrade compiles anew. */
  readonly sucraseVersion: string;
  /** Where compiled files are kept (`node_modules/.cache/flux-ts`), or "" to keep none. */
  readonly cacheDir: string;
}

/** Bumped whenever the options given to sucrase (or what is done with its output) change. */
const compileVersion = 1;
/** Past this many cache entries, a new one removes the older half. */
const cacheLimit = 1000;

type Transform = (code: string, options: Record<string, unknown>) => { code: string };
let transform: Transform | undefined;

/**
 * `source`, the TypeScript file at `path`, as an ES module Node can run: from the cache when this
 * source was compiled before by the same sucrase, else compiled now (and cached). Throws when
 * sucrase cannot parse it, or when it declares a namespace holding values.
 */
export function compileTypeScript(source: string, path: string, options: TypeScriptOptions): string {
  const version = `${options.sucraseVersion}/${compileVersion}`;
  const entry = options.cacheDir === "" ? undefined : join(options.cacheDir, `${hash(`${version}\0${source}`)}.json`);
  if (entry !== undefined) {
    const cached = readCache(entry, version, source);
    if (cached !== undefined) return cached;
  }
  refuseValueNamespaces(source, path);
  transform ??= (createRequire(import.meta.url)(options.sucrase) as { transform: Transform }).transform;
  const { code } = transform(source, {
    transforms: ["typescript"],
    // Node 20 runs ES2022 as it is: class fields, `?.` and `??` stay as written.
    disableESTransforms: true,
    // `import fs = require("fs")` in an ES module, as TypeScript compiles it for module nodenext.
    injectCreateRequireForImportRequire: true,
    filePath: path,
  });
  if (entry !== undefined) writeCache(entry, { version, source, code });
  return code;
}

function readCache(entry: string, version: string, source: string): string | undefined {
  try {
    const cached = JSON.parse(readFileSync(entry, "utf8")) as { version?: unknown; source?: unknown; code?: unknown };
    // The entry's name is a hash: the source itself is compared, so a collision only misses.
    return cached.version === version && cached.source === source && typeof cached.code === "string" ? cached.code : undefined;
  } catch {
    return undefined;
  }
}

/** Best effort: a cache that cannot be written (a read-only installation) only makes the next start slower. */
function writeCache(entry: string, value: { version: string; source: string; code: string }): void {
  try {
    const dir = dirname(entry);
    mkdirSync(dir, { recursive: true });
    const temporary = `${entry}.${process.pid}-${threadId}.tmp`;
    writeFileSync(temporary, JSON.stringify(value));
    renameSync(temporary, entry); // atomic: another process reads the whole entry or none
    pruneCache(dir);
  } catch {
    // no cache this time
  }
}

function pruneCache(dir: string): void {
  const names = readdirSync(dir).filter((name) => name.endsWith(".json"));
  if (names.length <= cacheLimit) return;
  const byAge = names.map((name) => ({ name, at: statSync(join(dir, name)).mtimeMs })).sort((a, b) => a.at - b.at);
  for (const { name } of byAge.slice(0, names.length >> 1)) unlinkSync(join(dir, name));
}

/** A 64-bit hash of `text` in hex (two 32-bit multiplicative lanes): names a cache entry, nothing more. */
function hash(text: string): string {
  let a = 0x811c9dc5 | 0;
  let b = 0x9747b28c | 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  a = Math.imul(a ^ (a >>> 15), 0x85ebca6b) ^ b;
  b = Math.imul(b ^ (b >>> 13), 0xc2b2ae35) ^ a;
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}

/** A namespace (or `module X {`) at the start of a line, not `declare`d. */
const namespaceStart = /^[ \t]*(?:export[ \t]+)?(?:namespace|module)[ \t]+([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)[ \t]*\{/gm;
/** A declaration of a value (not a property or method named like a keyword, nor `<const T>`, as types may have). */
const valueDeclaration = /(?<![<,][ \t]*)\b(?:const|let|var|function|class|enum|import)\b(?![ \t]*[:?(,)=])/;

/**
 * Throws when `source` declares a namespace that holds values (`namespace NS { export const x = 1 }`):
 * sucrase takes every namespace for types only and drops it, which would fail later, far from
 * the cause (`NS is not defined`). Namespaces of types only, and `declare namespace`, are fine.
 */
export function refuseValueNamespaces(source: string, path: string): void {
  for (const match of source.matchAll(namespaceStart)) {
    const body = blockBody(source, match.index + match[0].length);
    if (!valueDeclaration.test(body)) continue;
    const line = source.slice(0, match.index).split("\n").length;
    throw new SyntaxError(
      `${path}:${line}: namespace ${match[1]} holds values, which flux's TypeScript loader (sucrase) does not compile: `
      + "export them from the module instead (export const ...), or load the file with tsx (npm install --save-dev tsx, then FLUX_TS_LOADER=tsx)",
    );
  }
}

/** The text of the block that opens just before `start`, up to its closing brace, with strings and comments blanked. */
function blockBody(source: string, start: number): string {
  let depth = 1;
  let body = "";
  for (let i = start; i < source.length; i += 1) {
    const c = source[i]!;
    if (c === "/" && source[i + 1] === "/") {
      i = source.indexOf("\n", i);
      if (i < 0) break;
    } else if (c === "/" && source[i + 1] === "*") {
      i = source.indexOf("*/", i + 2) + 1;
      if (i <= 0) break;
    } else if (c === "'" || c === '"' || c === "`") {
      for (i += 1; i < source.length && source[i] !== c; i += 1) if (source[i] === "\\") i += 1;
    } else if (c === "{") {
      depth += 1;
    } else if (c === "}") {
      depth -= 1;
      if (depth === 0) break;
    }
    body += c === "'" || c === '"' || c === "`" ? " " : c;
  }
  return body;
}
