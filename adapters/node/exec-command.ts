import { executionJson } from "../../src/http/execution-json.js";
import { parseCommandLine, parseValue } from "./cli-args.js";
import { CommandLineError } from "./cli-errors.js";
import { exitCodeOf, printJson, styles, type CliIo } from "./cli-io.js";
import { helpText } from "./help-text.js";
import { inspectJsonOf } from "./inspect-command.js";
import { findWorkflow, loadWorkflowFile } from "./load-workflows.js";
import { storeUrlOf } from "./node-store.js";
import { commandEngine } from "./open-store.js";
import { reportProgress } from "./progress-reporter.js";

/**
 * `flux exec FILE WORKFLOW [INPUT]`: runs (or, with `--execution-id`, replays or resumes) a
 * workflow exported by FILE on the default engine (or the store of `--store` / `FLUX_STORE_URL`), prints the execution as JSON and resolves
 * with the exit code of its state (0 succeeded, 1 failed, 3 paused).
 */
export async function execCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine("exec", argv, {
    "execution-id": { type: "string" },
    "resume-with": { type: "string" },
    inspect: { type: "boolean" },
    json: { type: "boolean" },
    store: { type: "string" },
  });
  if (values["help"] === true) {
    io.stdout.write(helpText.exec);
    return 0;
  }
  const [file, name, inputText, ...extra] = positionals;
  if (file === undefined || name === undefined) {
    throw new CommandLineError("flux exec needs FILE and WORKFLOW, e.g. flux exec examples/hello_world.ts hello_world World (see flux exec --help)");
  }
  if (extra.length > 0) throw new CommandLineError(`unexpected argument ${JSON.stringify(extra[0])}: INPUT is one argument, quote it (e.g. '{"name": "World"}')`);
  const executionId = values["execution-id"] as string | undefined;
  const resumeWith = values["resume-with"] as string | undefined;
  if (resumeWith !== undefined && executionId === undefined) {
    throw new CommandLineError("--resume-with needs --execution-id ID: the paused execution to resume (flux list --state paused shows them)");
  }
  const input = inputText === undefined ? undefined : parseValue(inputText, "INPUT");
  const resumeValue = resumeWith === undefined ? undefined : parseValue(resumeWith, "--resume-with");

  const loaded = await loadWorkflowFile(file, io.cwd);
  const workflow = findWorkflow(loaded, name);
  const engine = commandEngine(storeUrlOf(values["store"], io.env));
  try {
    for (const { workflow: exported } of loaded.workflows.values()) engine.register(exported);
    if (executionId !== undefined && inputText !== undefined && await engine.store.get(executionId) !== undefined) {
      io.stderr.write(`flux: INPUT ignored: execution ${executionId} already exists and keeps the input it started with\n`);
    }
    const progress = values["json"] !== true && io.stderr.isTTY === true;
    const stop = progress ? reportProgress(engine, io) : () => {};
    let ctx;
    try {
      ctx = resumeWith !== undefined && executionId !== undefined
        ? await engine.resume(workflow, executionId, resumeValue)
        : await engine.run(workflow, input, executionId === undefined ? {} : { executionId });
    } finally {
      stop();
    }
    printJson(io, values["inspect"] === true ? await inspectJsonOf(engine, ctx.executionId) : executionJson(ctx));
    if (ctx.paused && progress) {
      const style = styles(io, "stderr");
      io.stderr.write(style.dim(`resume it: flux exec ${file} ${name} --execution-id ${ctx.executionId} --resume-with VALUE\n`));
    }
    return exitCodeOf(ctx.state);
  } finally {
    await engine.close();
  }
}
