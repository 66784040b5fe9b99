import { readFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";

/**
 * The fix when `path` loads as CommonJS because its package.json says "type": "commonjs" (what
 * `npm init -y` writes): flux-ts is an ES module, so such a file gets a second copy of it (or
 * fails to require it), and its workflows are not the CLI's. "" when that is not the case.
 *
 * @example
 * commonJsHint("/app/hello.js") // '. hello.js loads as CommonJS ("type": "commonjs" in /app/package.json), ...'
 */
export function commonJsHint(path: string): string {
  if (/\.(?:mjs|mts)$/.test(path)) return "";
  const pkg = nearestPackageJson(dirname(path));
  if (pkg?.type !== "commonjs") return "";
  const renamed = basename(path).replace(/\.[^.]+$/, /\.tsx?$/.test(path) ? ".mts" : ".mjs");
  return `. ${relative(process.cwd(), path) || path} loads as CommonJS ("type": "commonjs" in ${pkg.path}), and flux-ts is an ES module package: `
    + `set "type": "module" in ${pkg.path}, or rename the file ${renamed}`;
}

function nearestPackageJson(dir: string): { path: string; type: unknown } | undefined {
  for (let at = dir; ; at = dirname(at)) {
    const path = join(at, "package.json");
    try {
      return { path, type: (JSON.parse(readFileSync(path, "utf8")) as { type?: unknown }).type };
    } catch {
      // none here (or unreadable): look further up
    }
    if (dirname(at) === at) return undefined;
  }
}
