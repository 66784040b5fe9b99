import { ExecutionNotFoundError } from "../../src/errors.js";
import { inspectJson, type InspectJson } from "../../src/http/inspect-json.js";
import { inspectPage, pageOf, type InspectPageOptions } from "../../src/inspection.js";
import type { Engine } from "../../src/engine.js";
import { onePositional, parseCommandLine, parseCount } from "./cli-args.js";
import { exitCodeOf, forPeople, printJson, styles, type CliIo } from "./cli-io.js";
import { helpText } from "./help-text.js";
import { storeName, storeUrlOf } from "./node-store.js";
import { existingEngine } from "./open-store.js";

/**
 * `flux inspect ID [--from N] [--limit N]`: prints one page of the execution as recorded (JSON,
 * or a readable listing on a terminal): its input, output and state and up to `--limit` events
 * (1,000 by default) from event `--from`, with the command for the next page when more follow.
 * Reads only that page from the store; runs nothing. Resolves with the exit code of its state.
 */
export async function inspectCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine("inspect", argv, { json: { type: "boolean" }, store: { type: "string" }, from: { type: "string" }, limit: { type: "string" } });
  const { values } = parsed;
  if (values["help"] === true) {
    io.stdout.write(helpText.inspect);
    return 0;
  }
  const id = onePositional(parsed, "inspect", "EXECUTION_ID", "flux inspect needs an EXECUTION_ID (flux list shows them)");
  const from = parseCount(values["from"], "--from", "inspect", 0);
  const limit = parseCount(values["limit"], "--limit", "inspect");
  const options = { ...(from === undefined ? {} : { from }), ...(limit === undefined ? {} : { limit }) };
  pageOf(options);
  const url = storeUrlOf(values["store"], io.env);
  const engine = existingEngine(url);
  try {
    const json = engine === undefined ? undefined : await inspectJsonOf(engine, id, options);
    if (json === undefined) throw new ExecutionNotFoundError(`no execution ${id} in ${storeName(url)}: check the id (flux list shows the executions), and run flux in the directory where the workflow ran`);
    if (forPeople(io, values["json"] === true)) printReadable(io, json);
    else printJson(io, json);
    return exitCodeOf(json.state);
  } finally {
    await engine?.close();
  }
}

/**
 * One page of an execution as `flux inspect` and `flux exec --inspect` print it: `next` is the
 * command that prints the page after it. `undefined` for an unknown execution.
 */
export async function inspectJsonOf(engine: Engine, id: string, options: InspectPageOptions = {}): Promise<InspectJson | undefined> {
  const page = await inspectPage(engine.store, id, options, engine.outputStorage?.blobs);
  const limitFlag = options.limit === undefined ? "" : ` --limit ${options.limit}`;
  return page === undefined ? undefined : inspectJson(page, (next) => `flux inspect ${id} --from ${next}${limitFlag}`);
}

function printReadable(io: CliIo, json: InspectJson): void {
  const style = styles(io, "stdout");
  const state = json.state === "succeeded" ? style.green(json.state) : json.state === "failed" ? style.red(json.state) : style.yellow(json.state);
  const lines = [
    `${style.bold(json.name)}  ${json.execution_id}  ${state}`,
    `input:  ${JSON.stringify(json.input)}`,
    `output: ${JSON.stringify(json.output)}`,
    "events:",
  ];
  const width = Math.max(0, ...json.events.map((event) => event.type.length));
  for (const event of json.events) {
    const source = event.type.startsWith("WORKFLOW_") ? event.name : `${event.name} (step ${event.source_id})`;
    const value = JSON.stringify(event.value);
    lines.push(`  ${String(event.id).padStart(3)}  ${style.dim(event.time.slice(11, 23))}  ${event.type.padEnd(width)}  ${source}  ${style.dim(value.length > 100 ? `${value.slice(0, 97)}...` : value)}`);
  }
  if (json.next !== undefined) lines.push(style.dim(`more events: ${json.next}`));
  io.stdout.write(`${lines.join("\n")}\n`);
}
