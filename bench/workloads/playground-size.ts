import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { Workload } from "../lib/workload.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const vite = join(dirname(createRequire(import.meta.url).resolve("vite/package.json")), "bin/vite.js");

/**
 * The playground's JS loaded up front, gzipped (KB), as its own `playground:build` counts it:
 * `vite build` into a temp directory, then `playground/print-bundle-size.mjs` on it.
 */
const playgroundSize: Workload = {
  title: "Playground JS up front (gzip)",
  unit: "KB",
  target: { value: 250, better: "lower" },
  variants: ["-"],
  runs: 1,
  warmups: 0,
  async measure() {
    const outDir = mkdtempSync(join(tmpdir(), "flux-playground-"));
    try {
      const run = promisify(execFile);
      await run(process.execPath, [vite, "build", "--config", "playground/vite.config.ts", "--outDir", outDir, "--emptyOutDir", "--logLevel", "error"], { cwd: root });
      const { stdout } = await run(process.execPath, [join(root, "playground/print-bundle-size.mjs"), outDir], { cwd: root });
      const match = /JS loaded up front: ([\d.]+) KB gzip.*loaded lazily: ([\d.]+) KB gzip/.exec(stdout);
      if (match === null) throw new Error(`cannot read the playground's sizes from:\n${stdout}`);
      return { value: Number(match[1]), note: `+ ${match[2]} KB loaded lazily` };
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  },
};
export default playgroundSize;
