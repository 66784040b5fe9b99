import { provideDefaultEngine } from "./default-engine-slot.js";
import { Engine } from "./engine.js";

let factory: () => Engine = () => new Engine();
let current: Engine | undefined;

/**
 * The engine `workflow.run()` uses when given none, made on first use. In the core it keeps
 * state in memory; the package's Node entry makes it SQLite on disk (`.flux/flux.db`) and its
 * browser entry IndexedDB, through the package's export conditions.
 */
export function defaultEngine(): Engine {
  return (current ??= factory());
}

/** Replaces the default engine, or how it is made on first use (an environment entry does this). */
export function setDefaultEngine(engine: Engine | (() => Engine)): void {
  if (typeof engine === "function") {
    factory = engine;
    current = undefined;
  } else {
    current = engine;
  }
}

provideDefaultEngine(defaultEngine);
