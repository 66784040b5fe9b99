import { register } from "node:module";
import { WorkflowFileError } from "./cli-errors.js";

const needsTranspiler = /\.(?:ts|mts|cts|tsx|jsx)$/;
let tsx: "registered" | "missing" | undefined;

/**
 * Makes Node ready to import the user's workflow files `paths` (absolute), once per process:
 *
 * - JavaScript needs nothing: Node (20.19 and later) loads a `.js` file that no package.json
 *   gives a "type" as an ES module when it has `import`/`export`, so it gets the CLI's own copy
 *   of flux-ts. This path loads no transpiler and registers no hooks (a fast start).
 * - TypeScript (and JSX): tsx, when it is installed (an optional peer dependency of flux-ts),
 *   with `module-format-hooks.ts` registered after it so that it runs first; else Node's own type
 *   stripping where Node has it (22.18 and later). Neither: `WorkflowFileError` naming the fix.
 *   The library import never needs a transpiler.
 */
export async function prepareToLoad(paths: readonly string[], shown: (path: string) => string): Promise<void> {
  const ts = paths.find((path) => needsTranspiler.test(path));
  if (ts === undefined || tsx === "registered") return;
  if (tsx === undefined) {
    try {
      const api = await import("tsx/esm/api");
      api.register();
      register("./module-format-hooks.js", import.meta.url);
      tsx = "registered";
      return;
    } catch (error) {
      if (!isMissing(error, "tsx")) throw error;
      tsx = "missing";
    }
  }
  const jsx = ts.endsWith("x");
  if (nodeStripsTypes() && !jsx) return;
  throw new WorkflowFileError(
    `cannot load ${shown(ts)}: it is ${jsx ? "JSX" : "TypeScript"}, and Node ${process.version} cannot run it by itself: `
    + "install tsx where flux-ts is (npm install --save-dev tsx), or write the file in JavaScript (.js, .mjs)"
    + (jsx ? "" : ", or use Node 22.18 or later"),
  );
}

/** True when this Node strips TypeScript types itself (`process.features.typescript`, Node 22.10+ with it on). */
function nodeStripsTypes(): boolean {
  return Boolean((process.features as { typescript?: unknown }).typescript);
}

function isMissing(error: unknown, name: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && String((error as Error).message).includes(`'${name}`);
}
