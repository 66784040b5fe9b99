import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
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
function timed(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): number {
  const start = performance.now();
  const ran = spawnSync(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
  const ms = performance.now() - start;
  if (ran.status !== 0) throw new Error(`node ${args.join(" ")} exited ${ran.status}: ${ran.stderr}`);
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

const mjs = "hello_world.mjs";
const ts = "hello_world.ts";
const tsEdited = "hello_world.ts, edited";
const tsx = "hello_world.ts, tsx";
const hook = "import('flux-ts') + a no-op module hook";

/**
 * A cold `flux exec hello_world` (a new Node process, no .flux/ yet: it creates the SQLite file)
 * against a cold `node -e "import('flux-ts')"` in the same project, measured in turns (7 pairs
 * a sample, so that load on the machine hits both alike): the ratio of their medians.
 *
 * - hello_world.mjs: no transpiler, no module hook.
 * - hello_world.ts: sucrase's hooks (the default when sucrase is installed), the file already
 *   compiled (node_modules/.cache/flux-ts): what every start of an unchanged file pays.
 * - hello_world.ts, edited: the file changes before each start (a comment), so sucrase is
 *   loaded in the hooks thread and compiles it.
 * - hello_world.ts, tsx: FLUX_TS_LOADER=tsx, what the CLI used before sucrase (its own cache warm).
 * - import('flux-ts') + a no-op module hook: no flux exec; a bare import followed by
 *   `module.register` of a hook that does nothing. Not a way to run a workflow: it measures what
 *   Node 20's module-hooks thread costs by itself, which any loader of .ts files on Node 20 pays.
 */
const cliColdStart: Workload = {
  title: "flux exec hello_world, cold (× node -e import('flux-ts'))",
  unit: "×",
  target: { value: 1.5, better: "lower", on: [mjs, ts] },
  variants: [mjs, ts, tsEdited, tsx, hook],
  warmups: 1,
  async measure(variant: Variant) {
    const dir = project();
    try {
      const bin = join(dir, "node_modules", "flux-ts", "bin", "flux.js");
      const source = readFileSync(join(dir, ts), "utf8");
      const base: number[] = [];
      const exec: number[] = [];
      for (let i = 0; i < pairs; i += 1) {
        base.push(timed(["-e", "import('flux-ts')"], dir));
        rmSync(join(dir, ".flux"), { recursive: true, force: true });
        if (variant === tsEdited) writeFileSync(join(dir, ts), `${source}// edit ${process.pid}-${Date.now()}-${i}\n`);
        exec.push(variant === hook
          ? timed(["--input-type=module", "-e", noOpHook], dir)
          : timed([bin, "exec", variant === mjs ? mjs : ts, "hello_world", "World"], dir, variant === tsx ? { FLUX_TS_LOADER: "tsx" } : {}));
      }
      const [b, e] = [median(base), median(exec)];
      return { value: e / b, note: `${e.toFixed(0)} ms vs ${b.toFixed(0)} ms` };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
export default cliColdStart;

const noOpHook = `await import("flux-ts");
const { register } = await import("node:module");
register("data:text/javascript,export async function resolve(s, c, next) { return next(s, c); }");
`;
