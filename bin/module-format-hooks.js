// Node module hooks (module.register) used by bin/flux.js. A .ts or .js file whose nearest
// package.json declares no "type" (or that has none) would load as CommonJS, and its
// `import ... from "flux-ts"` would then get a second copy of flux-ts, whose Workflow class the
// CLI does not recognise. Such files are loaded as ES modules instead; files in node_modules and
// files under a package.json that declares a "type" are left as Node decides.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ambiguous = /\.(?:ts|tsx|js|jsx)$/;
const declared = new Map();

/** True when the nearest package.json above `file` has a "type" field. */
function typeDeclared(file) {
  const dir = dirname(file);
  if (declared.has(dir)) return declared.get(dir);
  let answer;
  try {
    answer = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).type !== undefined;
  } catch (error) {
    answer = error?.code === "ENOENT" ? (dirname(dir) === dir ? false : typeDeclared(dir)) : true;
  }
  declared.set(dir, answer);
  return answer;
}

/** The resolve hook: see the file's header. */
export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  if (result.url.startsWith("file:") && (result.format === "commonjs" || result.format == null) && !result.url.includes("/node_modules/")) {
    const file = fileURLToPath(result.url.split("?")[0]);
    if (ambiguous.test(file) && !typeDeclared(file)) return { ...result, format: "module" };
  }
  return result;
}
