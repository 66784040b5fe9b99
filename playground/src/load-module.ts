import * as flux from "flux-ts";
import { Workflow } from "flux-ts";

/** The workflows a compiled example defines, and the one its Run button starts. */
export interface LoadedModule {
  /** The default export, or else the last workflow the module defined. */
  readonly main: Workflow<unknown, unknown>;
  /** Every workflow the module defined, exported or not, by name (to resume a paused child). */
  readonly workflows: ReadonlyMap<string, Workflow<unknown, unknown>>;
}

/**
 * Evaluates a module compiled by `compileTypeScript`, giving it this page's build of the engine
 * as "flux-ts" (the same code Node and the Worker run). Other imports throw. `workflow()` is
 * observed so that workflows the module keeps to itself can still be found by name.
 */
export function loadModule(code: string): LoadedModule {
  const defined = new Map<string, Workflow<unknown, unknown>>();
  const api = {
    ...flux,
    __esModule: true,
    workflow: ((name: string, body: never) => {
      const made = flux.workflow(name, body) as Workflow<unknown, unknown>;
      defined.set(made.name, made);
      return made;
    }) as typeof flux.workflow,
  };
  const require = (specifier: string): unknown => {
    if (specifier === "flux-ts") return api;
    throw new Error(`the playground can import only "flux-ts", not "${specifier}"`);
  };
  const module = { exports: {} as Record<string, unknown> };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- running the user's code is the point.
  const run = new Function("require", "exports", "module", `${code}\n//# sourceURL=example.ts`);
  run(require, module.exports, module);
  const exported = module.exports.default;
  const main = exported instanceof Workflow ? exported as Workflow<unknown, unknown> : [...defined.values()].at(-1);
  if (main === undefined) throw new Error("the example defines no workflow: `export default workflow(\"name\", async (ctx) => ...)`");
  if (!defined.has(main.name)) defined.set(main.name, main);
  return { main, workflows: defined };
}
