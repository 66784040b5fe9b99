/** Where a compile error is, 1-based, when the compiler said. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** TypeScript that could not be compiled: the compiler's message and, when known, where. */
export class CompileError extends Error {
  override name = "CompileError";
  constructor(message: string, readonly position?: SourcePosition) {
    super(message);
  }
}

type Sucrase = typeof import("./sucrase-entry.js");
let sucrase: Promise<Sucrase> | undefined;

/**
 * Starts loading the compiler (its own chunk, fetched once): call it when the page is idle so
 * that the first Run does not wait, and so that the page works offline once loaded.
 */
export function preloadCompiler(): Promise<unknown> {
  return (sucrase ??= import("./sucrase-entry.js"));
}

/**
 * Compiles a TypeScript module to a CommonJS-style function body, in the page. Sucrase strips
 * the types and turns `import`/`export` into `require()`/`exports` (it does not type-check; the
 * lines of the output are those of the source, so runtime stack lines point at the editor's).
 * Rejects with {@link CompileError} on a syntax error.
 */
export async function compileTypeScript(source: string): Promise<string> {
  const { transform } = await preloadCompiler() as Sucrase;
  try {
    return transform(source, { transforms: ["typescript", "imports"], disableESTransforms: true, filePath: "example.ts" }).code;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = /\((\d+):(\d+)\)\s*$/.exec(message);
    throw new CompileError(message, at ? { line: Number(at[1]), column: Number(at[2]) + 1 } : undefined);
  }
}
