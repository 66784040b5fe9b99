import { gzipSync } from "node:zlib";
import { build, type BuildOptions } from "esbuild";

/** Sizes of one bundled entry, in bytes. */
export interface BundleSize {
  readonly minified: number;
  readonly gzipped: number;
}

/**
 * Bundles `entry` with esbuild (ESM, minified, tree-shaken, nothing written) and gzips the
 * result with zlib's default level. `options` adds platform, conditions and externals.
 */
export async function bundleSize(entry: string, options: BuildOptions = {}): Promise<BundleSize> {
  const result = await build({ entryPoints: [entry], bundle: true, minify: true, format: "esm", write: false, logLevel: "silent", ...options });
  const code = result.outputFiles?.map((file) => file.contents);
  if (code === undefined || code.length === 0) throw new Error(`esbuild produced nothing for ${entry}`);
  const bytes = Buffer.concat(code);
  return { minified: bytes.length, gzipped: gzipSync(bytes).length };
}
