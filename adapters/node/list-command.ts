import type { ExecutionState } from "../../src/events.js";
import { pageJson } from "../../src/http/execution-json.js";
import { executionStates as states } from "../../src/http/list-query.js";
import type { ExecutionPage } from "../../src/state-store.js";
import { parseCommandLine, parseCount } from "./cli-args.js";
import { CommandLineError } from "./cli-errors.js";
import { forPeople, printJson, styles, type CliIo } from "./cli-io.js";
import { helpText } from "./help-text.js";
import { storeUrlOf } from "./node-store.js";
import { existingEngine } from "./open-store.js";

/** `flux list`: the executions of the default store (or of `--store` / `FLUX_STORE_URL`), newest first, filtered and paged. */
export async function listCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine("list", argv, {
    workflow: { type: "string" },
    state: { type: "string" },
    limit: { type: "string" },
    cursor: { type: "string" },
    json: { type: "boolean" },
    store: { type: "string" },
  });
  if (values["help"] === true) {
    io.stdout.write(helpText.list);
    return 0;
  }
  if (positionals.length > 0) throw new CommandLineError(`unexpected argument ${JSON.stringify(positionals[0])}: filter with --workflow NAME or --state STATE`);
  const state = values["state"] as string | undefined;
  if (state !== undefined && !states.includes(state as ExecutionState)) {
    throw new CommandLineError(`--state ${state} is not a state: use one of ${states.join(", ")}`);
  }
  const limit = parseCount(values["limit"], "--limit", "list") ?? 20;
  const engine = existingEngine(storeUrlOf(values["store"], io.env));
  try {
    const page: ExecutionPage = engine === undefined ? { executions: [] } : await engine.list({
      limit,
      ...(values["workflow"] === undefined ? {} : { workflow: values["workflow"] as string }),
      ...(state === undefined ? {} : { state: state as ExecutionState }),
      ...(values["cursor"] === undefined ? {} : { cursor: values["cursor"] as string }),
    });
    if (forPeople(io, values["json"] === true)) printTable(io, page);
    else printJson(io, pageJson(page));
    return 0;
  } finally {
    await engine?.close();
  }
}

function printTable(io: CliIo, page: ExecutionPage): void {
  const style = styles(io, "stdout");
  if (page.executions.length === 0) {
    io.stdout.write("no executions\n");
    return;
  }
  const rows = page.executions.map((s) => [s.executionId, s.workflow, s.state, String(s.events), new Date(s.updatedAt).toISOString().replace("T", " ").slice(0, 19)]);
  const header = ["EXECUTION ID", "WORKFLOW", "STATE", "EVENTS", "UPDATED (UTC)"];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd();
  const out = [style.bold(line(header)), ...rows.map(line)];
  if (page.nextCursor !== undefined) out.push(style.dim(`more: flux list --cursor ${page.nextCursor}`));
  io.stdout.write(`${out.join("\n")}\n`);
}
