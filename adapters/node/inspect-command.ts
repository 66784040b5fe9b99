import { ExecutionNotFoundError } from "../../src/errors.js";
import { executionJson } from "../../src/http/execution-json.js";
import { toWire } from "../../src/http/wire.js";
import type { WorkflowExecutionContext } from "../../src/execution-context.js";
import { onePositional, parseCommandLine } from "./cli-args.js";
import { exitCodeOf, forPeople, printJson, styles, type CliIo } from "./cli-io.js";
import { helpText } from "./help-text.js";
import { storeName, storeUrlOf } from "./node-store.js";
import { existingEngine } from "./open-store.js";

/**
 * `flux inspect ID`: prints the execution and its events as recorded (JSON, or a readable
 * listing on a terminal) and resolves with the exit code of its state. Runs nothing.
 */
export async function inspectCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine("inspect", argv, { json: { type: "boolean" }, store: { type: "string" } });
  const { values } = parsed;
  if (values["help"] === true) {
    io.stdout.write(helpText.inspect);
    return 0;
  }
  const id = onePositional(parsed, "inspect", "EXECUTION_ID", "flux inspect needs an EXECUTION_ID (flux list shows them)");
  const url = storeUrlOf(values["store"], io.env);
  const engine = existingEngine(url);
  try {
    const ctx = await engine?.inspect(id);
    if (ctx === undefined) throw new ExecutionNotFoundError(`no execution ${id} in ${storeName(url)}: check the id (flux list shows the executions), and run flux in the directory where the workflow ran`);
    if (forPeople(io, values["json"] === true)) printReadable(io, ctx);
    else printJson(io, executionJson(ctx, true));
    return exitCodeOf(ctx.state);
  } finally {
    await engine?.close();
  }
}

function printReadable(io: CliIo, ctx: WorkflowExecutionContext<unknown, unknown>): void {
  const style = styles(io, "stdout");
  const state = ctx.succeeded ? style.green(ctx.state) : ctx.failed ? style.red(ctx.state) : style.yellow(ctx.state);
  const lines = [
    `${style.bold(ctx.name)}  ${ctx.executionId}  ${state}`,
    `input:  ${JSON.stringify(toWire(ctx.input))}`,
    `output: ${JSON.stringify(toWire(ctx.output))}`,
    "events:",
  ];
  const width = Math.max(...ctx.events.map((event) => event.type.length));
  for (const event of ctx.events) {
    const time = new Date(event.time).toISOString().slice(11, 23);
    const source = event.type.startsWith("WORKFLOW_") ? event.name : `${event.name} (step ${event.sourceId})`;
    const value = JSON.stringify(toWire(event.value));
    lines.push(`  ${String(event.id).padStart(3)}  ${style.dim(time)}  ${event.type.padEnd(width)}  ${source}  ${style.dim(value.length > 100 ? `${value.slice(0, 97)}...` : value)}`);
  }
  io.stdout.write(`${lines.join("\n")}\n`);
}
