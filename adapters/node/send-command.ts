import { ExecutionNotFoundError } from "../../src/errors.js";
import { parseCommandLine, parseValue } from "./cli-args.js";
import { CommandLineError } from "./cli-errors.js";
import { printJson, type CliIo } from "./cli-io.js";
import { helpText } from "./help-text.js";
import { storeName, storeUrlOf } from "./node-store.js";
import { existingEngine } from "./open-store.js";

/**
 * `flux send EXECUTION_ID NAME [PAYLOAD]`: sends the event NAME (with PAYLOAD, JSON or text) to
 * an execution of `.flux/flux.db`, durably, and prints it as kept (its `seq` in the inbox). The
 * execution's next `ctx.waitForEvent(NAME)` takes it; a suspended one waiting on it is continued
 * by a runner of the store (`flux start` on the same directory wakes it within its poll).
 */
export async function sendCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine("send", argv, { store: { type: "string" } });
  if (parsed.values["help"] === true) {
    io.stdout.write(helpText.send);
    return 0;
  }
  const [id, name, payloadText, ...extra] = parsed.positionals;
  if (id === undefined || name === undefined) throw new CommandLineError("flux send needs EXECUTION_ID and NAME, e.g. flux send 4d0b… approval '{\"approved\": true}' (see flux send --help)");
  if (extra.length > 0) throw new CommandLineError(`unexpected argument ${JSON.stringify(extra[0])}: PAYLOAD is one argument, quote it`);
  const payload = payloadText === undefined ? undefined : parseValue(payloadText, "PAYLOAD");
  const url = storeUrlOf(parsed.values["store"], io.env);
  const engine = existingEngine(url);
  if (engine === undefined) throw new ExecutionNotFoundError(`no execution ${id}: there is no ${storeName(url)} here (run flux in the directory where the workflow ran)`);
  try {
    const event = await engine.sendEvent(id, name, payload);
    printJson(io, { execution_id: id, name: event.name, seq: event.seq, time: new Date(event.time).toISOString() });
    return 0;
  } finally {
    await engine.close();
  }
}
