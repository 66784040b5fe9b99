import { UsageError } from "./errors.js";
import type { Engine } from "./engine.js";

let provider: (() => Engine) | undefined;

/**
 * Where `workflow.run()` finds the default engine. `default-engine.ts` (which knows how to make
 * an `Engine`) installs the provider when it loads; `workflow.ts` reads it through here, so that
 * the workflow module never imports the engine module (the engine imports workflows: this is
 * where that cycle is broken).
 */
export function provideDefaultEngine(get: () => Engine): void {
  provider = get;
}

/** The default engine; a `UsageError` when no entry of the package was loaded to provide one. */
export function currentDefaultEngine(): Engine {
  if (provider === undefined) throw new UsageError('no default engine: import the package ("flux-ts") or pass { engine } to run()');
  return provider();
}
