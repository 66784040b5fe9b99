/**
 * The value typed in an input box: JSON when it parses (`42`, `"text"`, `{"a": 1}`), else the
 * text itself as a string; `undefined` when empty. Lets people type `Ada` for a string.
 */
export function parseInput(text: string): unknown {
  return readInput(text).value;
}

/** What {@link readInput} made of a text, and a warning when that may not be what was meant. */
export interface ReadInput {
  readonly value: unknown;
  /** Set when the text looks like JSON but is not (`{name: "Ada"}`, `[1, 2,]`, `01`): it was taken as a string. */
  readonly warning?: string;
}

/**
 * {@link parseInput}, saying so when a text that looks like JSON (it starts like an object, an
 * array, a quoted string or a number) does not parse, and is taken as a string instead.
 */
export function readInput(text: string): ReadInput {
  const trimmed = text.trim();
  if (trimmed === "") return { value: undefined };
  try {
    return { value: JSON.parse(trimmed) };
  } catch (error) {
    if (!/^[[{"]|^-?\d/.test(trimmed)) return { value: trimmed };
    const why = error instanceof Error ? error.message : String(error);
    const shown = trimmed.length > 40 ? `${trimmed.slice(0, 39)}…` : trimmed;
    return { value: trimmed, warning: `not valid JSON (${why}): taken as the text ${JSON.stringify(shown)}. Quote keys and strings ({"name": "Ada"}) for JSON.` };
  }
}
