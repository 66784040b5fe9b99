import { parseArgs, type ParseArgsConfig } from "node:util";
import { CommandLineError } from "./cli-errors.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** The parsed command line of one command: its options and positional arguments. */
export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

/**
 * Parses `argv` (the arguments after the command) against `options`; `--help`/`-h` is always
 * accepted. Throws `CommandLineError` naming the bad option and pointing at `flux COMMAND --help`.
 */
export function parseCommandLine(command: string, argv: readonly string[], options: Options): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/\. To specify a positional argument.*$/s, "") : String(error);
    throw new CommandLineError(`${message}: see flux ${command} --help (put -- before an argument that starts with -)`);
  }
}

/**
 * The one positional argument of `flux COMMAND` (named `what` in messages). Throws
 * `CommandLineError` with `missing` (which says what to give) when there is none, and naming the
 * first extra one when there are more.
 */
export function onePositional(parsed: ParsedArgs, command: string, what: string, missing: string): string {
  const [first, ...extra] = parsed.positionals;
  if (first === undefined) throw new CommandLineError(missing);
  if (extra.length > 0) throw new CommandLineError(`unexpected argument ${JSON.stringify(extra[0])}: flux ${command} takes one ${what}`);
  return first;
}

/**
 * A value given on the command line: JSON when it parses as JSON (`42`, `"a b"`, `{"a":1}`),
 * else the text itself (`World`). Text that starts like JSON (`{`, `[`, `"`) but does not parse
 * is refused, since it was most likely meant as JSON.
 */
export function parseValue(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    if (/^\s*[[{"]/.test(text)) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new CommandLineError(`${what} is not valid JSON (${reason}): fix it, or, to pass it as text, quote it as a JSON string, e.g. '${JSON.stringify(text)}'`);
    }
    return text;
  }
}

/** A positive whole number option, or `undefined` when absent. */
export function parseCount(value: string | boolean | undefined, option: string, command: string, least = 1): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (typeof value !== "string" || !/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < least) {
    throw new CommandLineError(`${option} needs a whole number ≥ ${least}, not ${JSON.stringify(value)}: see flux ${command} --help`);
  }
  return number;
}
