import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { consumers, pool, repo, run } from "./consumer-project.js";

/** How a consumer resolves modules: TypeScript's three ESM modes. */
const modes = {
  node16: { module: "node16" },
  nodenext: { module: "nodenext" },
  bundler: { module: "esnext", moduleResolution: "bundler" },
} as const;

/** Which environment's types alone the consumer has, and the file that uses flux-ts there. */
const environments = {
  "@types/node": { lib: ["es2023"], types: ["node"], file: "node.ts" },
  "@cloudflare/workers-types": { lib: ["es2023"], types: ["@cloudflare/workers-types"], file: "worker.ts" },
  "DOM lib": { lib: ["es2023", "dom", "dom.iterable"], types: [], file: "dom.ts" },
} as const;

/**
 * The strictest settings consumers use (those of Vite's vanilla-ts template included);
 * skipLibCheck off, so our .d.ts are checked too.
 */
const strictest = {
  target: "es2022", strict: true, exactOptionalPropertyTypes: true, noPropertyAccessFromIndexSignature: true,
  noUncheckedIndexedAccess: true, noImplicitOverride: true, verbatimModuleSyntax: true, erasableSyntaxOnly: true,
  isolatedModules: true, noUnusedLocals: true, noUnusedParameters: true, noFallthroughCasesInSwitch: true,
  noUncheckedSideEffectImports: true, skipLibCheck: false, noEmit: true,
};

/** One tsc run of the matrix. */
export interface TypeCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly output: string;
}

/**
 * `tsc --noEmit` of test/consumers/types in `project` (which has flux-ts, @types/node and
 * @cloudflare/workers-types installed) for each resolution mode and environment: 9 runs, two
 * at a time. In bundler mode the Node file imports `flux-ts/node` (bundler resolution has no
 * "node" condition); in node16 and nodenext it imports `flux-ts`, as Node users do.
 */
export async function typeCheckMatrix(project: string): Promise<TypeCheck[]> {
  const tsc = join(repo, "node_modules", "typescript", "bin", "tsc");
  const runs = Object.entries(modes).flatMap(([mode, moduleOptions]) => {
    const dir = join(project, mode);
    cpSync(join(consumers, "types"), dir, { recursive: true });
    writeFileSync(join(dir, "node-entry.ts"), `export { createNodeEngine, envSecrets } from "${mode === "bundler" ? "flux-ts/node" : "flux-ts"}";\n`);
    return Object.entries(environments).map(([environment, { lib, types, file }]) => {
      const config = `tsconfig.${file.replace(/\.ts$/, "")}.json`;
      const files = ["common.ts", file, ...(file === "node.ts" ? ["node-entry.ts"] : [])];
      writeFileSync(join(dir, config), JSON.stringify({ compilerOptions: { ...strictest, ...moduleOptions, lib, types }, files }, null, 2));
      return async (): Promise<TypeCheck> => {
        const ran = await run(process.execPath, [tsc, "-p", config], dir);
        return { name: `${mode}, ${environment}`, ok: ran.code === 0, output: ran.stdout + ran.stderr };
      };
    });
  });
  return pool(2, runs);
}
