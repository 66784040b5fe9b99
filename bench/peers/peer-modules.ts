import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

/** Where the peers are installed: `bench/peers/node_modules`, by `npm install --prefix bench/peers`. */
export const peersDir = fileURLToPath(new URL(".", import.meta.url));
const require = createRequire(`${peersDir}package.json`);

/** True once `npm install --prefix bench/peers` has run. */
export function peersInstalled(): boolean {
  return existsSync(`${peersDir}node_modules/.package-lock.json`);
}

/** The path of a file of an installed peer package, e.g. `peerPath("@restatedev/restate-server/package.json")`. */
export function peerPath(specifier: string): string {
  return require.resolve(specifier);
}

/**
 * Imports a peer package from `bench/peers/node_modules`. Typed by the caller with the few
 * members it uses, so that flux-ts type-checks without the peers installed.
 */
export async function importPeer<T>(name: string): Promise<T> {
  return (await import(pathToFileURL(require.resolve(name)).href)) as T;
}

/** The installed version of a peer package (read from its package.json, which not every package exports). */
export function peerVersion(name: string): string {
  const file = `${peersDir}node_modules/${name}/package.json`;
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version : "?";
}
