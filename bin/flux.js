#!/usr/bin/env node
// The `flux` command. Plain JavaScript so that it runs without a build: it registers tsx, which
// lets Node load the CLI's TypeScript sources and the user's .ts workflow files, then runs the CLI.
import { register } from "node:module";
import { register as registerTypeScript } from "tsx/esm/api";

registerTypeScript();
// Registered after tsx, so it runs first: makes .ts/.js files outside node_modules that no
// package.json declares a "type" for load as ES modules (as flux-ts and its users' files are).
register("./module-format-hooks.js", import.meta.url);

const { main } = await import("../adapters/node/cli.ts");
process.exitCode = await main(process.argv.slice(2));
