/**
 * Node module hooks (`module.register`) that the CLI registers before it loads a user's workflow
 * file. A .ts or .js file whose nearest package.json declares no "type" (or that has none) would
 * load as CommonJS, and its `import ... from "flux-ts"` would then get a second copy of flux-ts,
 * whose Workflow class the CLI does not recognise. Such files are loaded as ES modules instead;
 * files in node_modules and files under a package.json that declares a "type" are left as Node
 * decides (a "type": "commonjs" project gets the CLI's message naming the fix).
 */
import { readFileSync } from "node:fs";
import type { ModuleFormat, ResolveHook } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ambiguous = /\.(?:ts|tsx|js|jsx)$/;
const declared = new Map<string, boolean>();

/** True when the nearest package.json above `file` has a "type" field. */
function typeDeclared(file: string): boolean {
  const dir = dirname(file);
  const known = declared.get(dir);
  if (known !== undefined) return known;
  let answer: boolean;
  try {
    answer = (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { type?: unknown }).type !== undefined;
  } catch (error) {
    answer = (error as { code?: unknown }).code === "ENOENT" ? (dirname(dir) === dir ? false : typeDeclared(dir)) : true;
  }
  declared.set(dir, answer);
  return answer;
}

/** The resolve hook: see the file's header. Node's own type stripping names TypeScript formats apart. */
export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  const result = await nextResolve(specifier, context);
  const format = result.format as string | null | undefined;
  const commonjs = format === "commonjs" || format === "commonjs-typescript" || format == null;
  if (result.url.startsWith("file:") && commonjs && !result.url.includes("/node_modules/")) {
    const file = fileURLToPath(result.url.split("?")[0]!);
    // "module-typescript": Node 22.18+'s own type stripping (not in @types/node 20's ModuleFormat).
    if (ambiguous.test(file) && !typeDeclared(file)) return { ...result, format: (format === "commonjs-typescript" ? "module-typescript" : "module") as ModuleFormat };
  }
  return result;
};
