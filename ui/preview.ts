/** A short, one-line rendering of a recorded value. */
export function preview(value: unknown, max = 60): string {
  let text: string;
  if (value instanceof Error) text = `${value.name}: ${value.message}`;
  else if (value instanceof Date) text = value.toISOString();
  else if (value === undefined) text = "undefined";
  else {
    try {
      // Errors nested in values (a retry's failure) read as "Name: message", not "{}".
      text = JSON.stringify(value, (_key, item: unknown) => (item instanceof Error ? `${item.name}: ${item.message}` : item)) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
