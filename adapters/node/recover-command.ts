import { existsSync } from "node:fs";
import { onePositional, parseCommandLine } from "./cli-args.js";
import { CommandLineError, WorkflowFileError } from "./cli-errors.js";
import { printJson, type CliIo } from "./cli-io.js";
import { helpText } from "./help-text.js";
import { loadWorkflowsUnder } from "./load-workflows.js";
import { sqlitePathOf, storeUrlOf } from "./node-store.js";
import { commandEngine } from "./open-store.js";

/** Sleeps longer than this (ms) met while recovering suspend the execution (`flux start` wakes it later). */
export const recoverHoldsSleepsUpTo = 10_000;

/** What `flux recover` prints. */
export interface RecoverReport {
  readonly recovered: readonly { readonly execution_id: string; readonly workflow: string; readonly state: string }[];
  readonly skipped: readonly { readonly execution_id: string; readonly reason: string }[];
}

/**
 * `flux recover PATH [--stale-after MS]`: replays, to their end or next pause, the executions of
 * `.flux/flux.db` (or of `--store` / `FLUX_STORE_URL`) that a stopped process left running (`engine.recover()`), with the workflows
 * exported by the files under PATH, and prints what it recovered and skipped (with why) as JSON.
 * An execution a live runner holds (its lease) is skipped. Exit code 0, whatever it found.
 */
export async function recoverCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine("recover", argv, { "stale-after": { type: "string" }, store: { type: "string" } });
  const { values } = parsed;
  if (values["help"] === true) {
    io.stdout.write(helpText.recover);
    return 0;
  }
  const path = onePositional(parsed, "recover", "PATH", "flux recover needs a PATH: the file or folder of your workflows (as for flux start), e.g. flux recover examples");
  const staleAfter = parseStaleAfter(values["stale-after"]);
  const { workflows, files } = await loadWorkflowsUnder(path, io.cwd);
  if (workflows.length === 0) throw new WorkflowFileError(`the ${files.length} file(s) under ${path} export no workflow: give the folder of the workflows whose executions to recover`);
  const url = storeUrlOf(values["store"], io.env);
  const file = sqlitePathOf(url);
  if (file !== undefined && !existsSync(file)) {
    printJson(io, { recovered: [], skipped: [] } satisfies RecoverReport);
    return 0;
  }
  const engine = commandEngine(url, { workflows, holdSleepsUpTo: recoverHoldsSleepsUpTo });
  try {
    const { recovered, skipped } = await engine.recover(staleAfter === undefined ? {} : { staleAfter });
    const report: RecoverReport = {
      recovered: await Promise.all(recovered.map(async (id) => {
        const summary = await engine.store.get(id);
        return { execution_id: id, workflow: summary?.workflow ?? "", state: summary?.state ?? "unknown" };
      })),
      skipped: skipped.map((s) => ({ execution_id: s.executionId, reason: s.reason })),
    };
    printJson(io, report);
    return 0;
  } finally {
    await engine.close();
  }
}

function parseStaleAfter(value: string | boolean | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Number(value);
  if (typeof value !== "string" || value.trim() === "" || !Number.isInteger(ms) || ms < 0) {
    throw new CommandLineError(`--stale-after needs a whole number of milliseconds ≥ 0, not ${JSON.stringify(value)}: see flux recover --help`);
  }
  return ms;
}
