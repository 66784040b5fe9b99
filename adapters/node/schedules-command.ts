import { onePositional, parseCommandLine } from "./cli-args.js";
import { printJson, type CliIo } from "./cli-io.js";
import { helpText } from "./help-text.js";
import { loadWorkflowsUnder } from "./load-workflows.js";

/**
 * `flux schedules PATH`: the schedules exported by the files under PATH (as `flux start` would
 * fire them), with their workflow, how they fire, and their next firing time. Runs nothing.
 */
export async function schedulesCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine("schedules", argv, {});
  if (parsed.values["help"] === true) {
    io.stdout.write(helpText.schedules);
    return 0;
  }
  const path = onePositional(parsed, "schedules", "PATH", "flux schedules needs a PATH: the file or folder of your workflows, e.g. flux schedules src/workflows");
  const { schedules } = await loadWorkflowsUnder(path, io.cwd);
  const now = Date.now();
  printJson(io, {
    schedules: schedules.map((schedule) => {
      const next = schedule.next(now);
      return { name: schedule.name, workflow: schedule.workflow.name, fires: schedule.description, next: next === undefined ? null : new Date(next).toISOString() };
    }),
  });
  return 0;
}
