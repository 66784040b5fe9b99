import type { Engine } from "../../src/engine.js";
import type { ExecutionState } from "../../src/events.js";
import { checkExecution, type ExecutionCheck } from "../../src/history-check.js";
import type { ExecutionSummary } from "../../src/state-store.js";
import type { Workflow } from "../../src/workflow.js";
import { onePositional, parseCommandLine, parseCount } from "./cli-args.js";
import { ExitCode, forPeople, printJson, styles, type CliIo } from "./cli-io.js";
import { helpText } from "./help-text.js";
import { loadWorkflowsUnder } from "./load-workflows.js";
import { storeUrlOf } from "./node-store.js";
import { existingEngine } from "./open-store.js";

/** What {@link checkCommand} found for one execution. */
export type CheckResult = ExecutionCheck;

/** The order executions are checked in: those still to run first (their next replay is the deploy's). */
const order: readonly ExecutionState[] = ["paused", "running", "succeeded", "failed", "cancelled"];

/**
 * `flux check FILE [--limit N]`: replays stored histories of each workflow exported by FILE
 * against the code in FILE, running nothing (no task body, no write to the store): paused and
 * running executions first, then the most recent finished ones, at most N (default 50) per
 * workflow, on the default store or `--store URL` / `FLUX_STORE_URL`. Reports, per execution, compatible or the first divergence (the step, what was
 * recorded and what the code calls now). Exits 1 when any diverges, so it can gate a deploy.
 */
export async function checkCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine("check", argv, { limit: { type: "string" }, json: { type: "boolean" }, store: { type: "string" } });
  if (parsed.values["help"] === true) {
    io.stdout.write(helpText.check);
    return 0;
  }
  const path = onePositional(parsed, "check", "FILE", "flux check needs FILE: the file (or folder) of your workflows as you mean to deploy them, e.g. flux check workflows.ts");
  const limit = parseCount(parsed.values["limit"], "--limit", "check") ?? 50;
  const { workflows } = await loadWorkflowsUnder(path, io.cwd);
  const engine = existingEngine(storeUrlOf(parsed.values["store"], io.env));
  const results: CheckResult[] = [];
  try {
    if (engine !== undefined) {
      for (const workflow of workflows) {
        for (const summary of await executionsToCheck(engine, workflow.name, limit)) {
          const checked = await checkExecution(engine.store, workflow, summary.executionId);
          if (checked !== undefined) results.push(checked);
        }
      }
    }
  } finally {
    await engine?.close();
  }
  const divergent = results.filter((r) => r.result === "divergent").length;
  if (forPeople(io, parsed.values["json"] === true)) printReport(io, results, workflows.length);
  else printJson(io, { checked: results.length, divergent, executions: results });
  return divergent > 0 ? ExitCode.failed : 0;
}

/** Up to `limit` executions of `workflow`: paused, then running, then the newest finished ones. */
async function executionsToCheck(engine: Engine, workflow: string, limit: number): Promise<ExecutionSummary[]> {
  const chosen: ExecutionSummary[] = [];
  for (const state of order) {
    let cursor: string | undefined;
    do {
      const page = await engine.list({ workflow, state, limit: Math.min(limit - chosen.length, 1000), ...(cursor === undefined ? {} : { cursor }) });
      // Subworkflows are checked through their own workflow's histories, top-level or not.
      chosen.push(...page.executions);
      cursor = page.nextCursor;
    } while (cursor !== undefined && chosen.length < limit);
    if (chosen.length >= limit) break;
  }
  return chosen.slice(0, limit);
}

function printReport(io: CliIo, results: readonly CheckResult[], workflows: number): void {
  const style = styles(io, "stdout");
  if (results.length === 0) {
    io.stdout.write(`no stored executions of the ${workflows} workflow(s) to check\n`);
    return;
  }
  for (const r of results) {
    const mark = r.result === "compatible" ? style.green("✓ compatible") : r.result === "divergent" ? style.red("✗ divergent ") : style.yellow("? unchecked ");
    io.stdout.write(`${mark}  ${r.workflow}  ${r.execution_id}  (${r.state})\n`);
    if (r.divergence !== undefined) io.stdout.write(`    ${r.divergence}\n`);
    if (r.reason !== undefined) io.stdout.write(`    ${style.dim(r.reason)}\n`);
  }
  const divergent = results.filter((r) => r.result === "divergent").length;
  const unchecked = results.filter((r) => r.result === "unchecked").length;
  io.stdout.write(`${results.length} execution(s) checked: ${results.length - divergent - unchecked} compatible, ${divergent} divergent${unchecked > 0 ? `, ${unchecked} unchecked` : ""}\n`);
}
