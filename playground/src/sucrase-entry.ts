/** The compiler's own chunk (named so in the build): only what `compile.ts` uses of sucrase. */
export { transform } from "sucrase";
