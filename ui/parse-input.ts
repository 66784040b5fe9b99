/**
 * The value typed in an input box: JSON when it parses (`42`, `"text"`, `{"a": 1}`), else the
 * text itself as a string; `undefined` when empty. Lets people type `Ada` for a string.
 */
export function parseInput(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    return trimmed;
  }
}
