import { UsageError } from "../../src/errors.js";

/**
 * The URL without a `schema` query parameter (pg would pass it to the server), and that schema;
 * both `undefined` without a URL. Throws `UsageError` (naming the URL, its password redacted)
 * when `url` is not a URL, or not a `postgres://` or `postgresql://` one.
 */
export function splitUrl(url: string | undefined): { url: string | undefined; schema: string | undefined } {
  if (url === undefined) return { url, schema: undefined };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`invalid PostgreSQL URL ${JSON.stringify(redact(url))}: give postgres://user:password@host:5432/database`);
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    throw new UsageError(`invalid PostgreSQL URL ${JSON.stringify(redact(url))}: it must start with postgres:// or postgresql://`);
  }
  const schema = parsed.searchParams.get("schema") ?? undefined;
  if (schema === undefined) return { url, schema };
  parsed.searchParams.delete("schema");
  return { url: parsed.toString(), schema };
}

/** `url` with its password replaced by `***`, for messages and logs. */
export function redact(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i, "$1***@");
}
