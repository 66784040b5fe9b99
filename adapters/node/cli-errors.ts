import { FluxError } from "../../src/errors.js";

/**
 * A workflow file cannot be used: it is missing, fails to load, or does not export the workflow
 * asked for. The message names the file and says what to do. The CLI exits with code 2.
 */
export class WorkflowFileError extends FluxError {
  override readonly code: string = "WORKFLOW_FILE";
  override name = "WorkflowFileError";
}

/** The command line is wrong: an unknown command or option, a missing or malformed argument. Exit code 2. */
export class CommandLineError extends FluxError {
  override readonly code: string = "COMMAND_LINE";
  override name = "CommandLineError";
}
