#!/usr/bin/env node
// The `flux` command: the CLI compiled into dist/ (npm run build; npm ci, npm install and
// npm pack build it). It loads users' TypeScript files with sucrase (or tsx) when one is installed.
let cli;
try {
  cli = await import("../dist/adapters/node/cli.js");
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes("dist/adapters/node/cli.js")) throw error;
  const root = new URL("..", import.meta.url).pathname;
  process.stderr.write(`flux: error: flux-ts is not built (no dist/ in ${root}): run npm run build there\n`);
  process.exit(1);
}
process.exitCode = await cli.main(process.argv.slice(2));
