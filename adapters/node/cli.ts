import { readFileSync } from "node:fs";
import {
  ExecutionNotFoundError, FluxError, SerializationError, UsageError, WorkflowNotFoundError,
} from "../../src/errors.js";
import { CommandLineError, WorkflowFileError } from "./cli-errors.js";
import { ExitCode, processIo, styles, type CliIo } from "./cli-io.js";
import { helpText } from "./help-text.js";

type Command = (argv: readonly string[], io: CliIo) => Promise<number>;

/** Each command's module is loaded only when it runs, so that `flux --help` starts fast. */
const commands: Readonly<Record<string, () => Promise<Command>>> = {
  exec: async () => (await import("./exec-command.js")).execCommand,
  inspect: async () => (await import("./inspect-command.js")).inspectCommand,
  list: async () => (await import("./list-command.js")).listCommand,
  recover: async () => (await import("./recover-command.js")).recoverCommand,
  start: async () => (await import("./start-command.js")).startCommand,
  send: async () => (await import("./send-command.js")).sendCommand,
  cancel: async () => (await import("./cancel-command.js")).cancelCommand,
  schedules: async () => (await import("./schedules-command.js")).schedulesCommand,
  check: async () => (await import("./check-command.js")).checkCommand,
};

/**
 * The `flux` command line: runs the command in `argv` (the arguments after `flux`) and resolves
 * with the process's exit code: 0 succeeded, 1 failed, 2 bad usage, 3 paused. Errors are
 * reported on stderr, naming the problem and the fix; it never throws.
 *
 * @example
 * process.exitCode = await main(["exec", "examples/hello_world.ts", "hello_world", "World"]);
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === "-h" || command === "--help" || command === "help") {
      const topic = rest[0];
      io.stdout.write(topic !== undefined && Object.hasOwn(helpText, topic) ? helpText[topic as keyof typeof helpText] : helpText.flux);
      return command === undefined ? ExitCode.usage : 0;
    }
    if (command === "-v" || command === "--version") {
      io.stdout.write(`${version()}\n`);
      return 0;
    }
    if (!Object.hasOwn(commands, command)) {
      throw new CommandLineError(`unknown command ${JSON.stringify(command)}: use exec, inspect, list, recover, start, send, cancel, schedules or check (flux --help)`);
    }
    await import("./index.js"); // the Node default engine (SQLite under the current directory)
    const run = await commands[command]!();
    return await run(rest, io);
  } catch (error) {
    return report(error, io);
  }
}

/** Prints `error` for a person and returns its exit code: 2 for what the user can fix in the command, else 1. */
function report(error: unknown, io: CliIo): number {
  const style = styles(io, "stderr");
  const usage = error instanceof CommandLineError || error instanceof WorkflowFileError || error instanceof UsageError
    || error instanceof WorkflowNotFoundError || error instanceof ExecutionNotFoundError || error instanceof SerializationError;
  const text = error instanceof FluxError ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  io.stderr.write(`${style.red("flux: error:")} ${text}\n`);
  if (io.env["FLUX_DEBUG"] && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  return usage ? ExitCode.usage : ExitCode.failed;
}

function version(): string {
  // This file runs as dist/adapters/node/cli.js: the package's root is three levels up.
  const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { name: string; version: string };
  return `${pkg.name} ${pkg.version}`;
}
