/**
 * A value the log keeps outside itself (a claim check): the key of its JSON text in the engine's
 * blob store, and its size in characters. Replay, `engine.inspect`, `GET /inspect` and
 * `flux inspect` fetch the value; `ctx.events` shows this marker in its place, so that a long
 * history of large values is not read back into memory to be listed.
 */
export class StoredBlob {
  constructor(
    readonly key: string,
    readonly size: number,
  ) {
    Object.freeze(this);
  }
}

const PREFIX = '{"$flux":"blob",';

/** The text the log records in place of a value kept in the blob store under `key`. */
export function blobRefText(key: string, size: number): string {
  return `${PREFIX}"key":${JSON.stringify(key)},"size":${size}}`;
}

/** The blob `text` (a recorded value) refers to, or `undefined` when it is the value itself. */
export function blobRefOf(text: string): StoredBlob | undefined {
  if (!text.startsWith(PREFIX)) return undefined;
  const { key, size } = JSON.parse(text) as { key: unknown; size: unknown };
  return typeof key === "string" && typeof size === "number" ? new StoredBlob(key, size) : undefined;
}
