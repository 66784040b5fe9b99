import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Variant, Workload } from "../lib/workload.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const pairs = 7;

/** A user's project outside the repository with flux-ts "installed" (node_modules/flux-ts links to the repo, whose exports are dist/). */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "flux-cold-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(root, join(dir, "node_modules", "flux-ts"), "dir");
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  copyFileSync(join(root, "examples", "hello_world.ts"), join(dir, "hello_world.ts"));
  writeFileSync(join(dir, "hello_world.mjs"), `import { task, workflow } from "flux-ts";
export const sayHello = task("say_hello", async (name) => \`Hello, \${name}\`);
export const helloWorld = workflow("hello_world", async (ctx) => ctx.run(sayHello, ctx.input));
`);
  return dir;
}

/** Wall time of one process, ms. */
function timed(args: readonly string[], cwd: string): number {
  const start = performance.now();
  const ran = spawnSync(process.execPath, args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
  const ms = performance.now() - start;
  if (ran.status !== 0) throw new Error(`node ${args.join(" ")} exited ${ran.status}: ${ran.stderr}`);
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/**
 * A cold `flux exec hello_world` (a new Node process, no .flux/ yet: it creates the SQLite file)
 * against a cold `node -e "import('flux-ts')"` in the same project, measured in turns (7 pairs
 * a sample, so that load on the machine hits both alike): the ratio of their medians. The
 * JavaScript file loads with no transpiler; the TypeScript one through tsx (~0.2 s of tsx's own
 * start on this machine, loading esbuild in the main thread and in the module-hooks thread).
 */
const cliColdStart: Workload = {
  title: "flux exec hello_world, cold (× node -e import('flux-ts'))",
  unit: "×",
  target: { value: 1.5, better: "lower", on: "hello_world.mjs" },
  variants: ["hello_world.mjs", "hello_world.ts"],
  warmups: 1,
  async measure(variant: Variant) {
    const dir = project();
    try {
      const bin = join(dir, "node_modules", "flux-ts", "bin", "flux.js");
      const base: number[] = [];
      const exec: number[] = [];
      for (let i = 0; i < pairs; i += 1) {
        base.push(timed(["-e", "import('flux-ts')"], dir));
        rmSync(join(dir, ".flux"), { recursive: true, force: true });
        exec.push(timed([bin, "exec", String(variant), "hello_world", "World"], dir));
      }
      const [b, e] = [median(base), median(exec)];
      return { value: e / b, note: `${e.toFixed(0)} ms vs ${b.toFixed(0)} ms` };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
export default cliColdStart;
