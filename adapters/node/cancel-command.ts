import { ExecutionNotFoundError } from "../../src/errors.js";
import { onePositional, parseCommandLine } from "./cli-args.js";
import { printJson, type CliIo } from "./cli-io.js";
import { helpText } from "./help-text.js";
import { storeName, storeUrlOf } from "./node-store.js";
import { existingEngine } from "./open-store.js";

/**
 * `flux cancel EXECUTION_ID [--reason TEXT]`: cancels an execution of `.flux/flux.db` (see
 * `engine.cancel`): a paused or sleeping one at once, one a live runner runs at that runner's next
 * commit. Prints `{ execution_id, state, cancelled }`; exit 0, also for one that had already ended
 * (`cancelled: false`).
 */
export async function cancelCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine("cancel", argv, { reason: { type: "string" }, store: { type: "string" } });
  if (parsed.values["help"] === true) {
    io.stdout.write(helpText.cancel);
    return 0;
  }
  const id = onePositional(parsed, "cancel", "EXECUTION_ID", "flux cancel needs an EXECUTION_ID (flux list shows them)");
  const reason = parsed.values["reason"] as string | undefined;
  const url = storeUrlOf(parsed.values["store"], io.env);
  const engine = existingEngine(url);
  if (engine === undefined) throw new ExecutionNotFoundError(`no execution ${id}: there is no ${storeName(url)} here (run flux in the directory where the workflow ran)`);
  try {
    const result = await engine.cancel(id, reason);
    printJson(io, { execution_id: result.executionId, state: result.state, cancelled: result.cancelled });
    return 0;
  } finally {
    await engine.close();
  }
}
