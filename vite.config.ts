import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  resolve: {
    // Examples and tests import the package by its own name, as users do; here it is the source.
    alias: [
      { find: /^flux-ts$/, replacement: `${root}src/index.ts` },
      { find: /^flux-ts\/schedules$/, replacement: `${root}src/schedules/index.ts` },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    // Builds dist/ first: the CLI runs from it, and the package test packs it.
    globalSetup: ["test/support/build-dist.ts"],
    // Type tests (expectTypeOf) of the public API, checked by tsc as part of the run.
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
