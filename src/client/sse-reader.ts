/** One message of a Server-Sent Events stream. */
export interface SseMessage {
  /** Its `event:` field ("message" when absent). */
  readonly event: string;
  /** Its `id:` field, when it had one. */
  readonly id?: string;
  /** Its `data:` lines, joined with "\n". */
  readonly data: string;
}

/**
 * The messages of a `text/event-stream` body, as they arrive (comments skipped), parsed as the
 * HTML standard says: fields per line, a blank line ends a message, `\r\n`, `\r` or `\n` ends a line.
 *
 * @example
 * for await (const message of readSse(response.body!)) console.log(message.event, message.data);
 */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let event = "";
  let id: string | undefined;
  let data: string[] = [];
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let match: RegExpExecArray | null;
      const line = /\r\n|\r|\n/g;
      let start = 0;
      while ((match = line.exec(buffer)) !== null) {
        // A lone \r at the end may be the first half of \r\n: wait for the next chunk.
        if (match[0] === "\r" && match.index === buffer.length - 1 && !done) break;
        const text = buffer.slice(start, match.index);
        start = match.index + match[0].length;
        if (text === "") {
          if (data.length > 0) yield { event: event === "" ? "message" : event, ...(id === undefined ? {} : { id }), data: data.join("\n") };
          event = "";
          data = [];
          continue;
        }
        if (text.startsWith(":")) continue;
        const colon = text.indexOf(":");
        const field = colon < 0 ? text : text.slice(0, colon);
        const raw = colon < 0 ? "" : text.slice(colon + 1);
        const fieldValue = raw.startsWith(" ") ? raw.slice(1) : raw;
        if (field === "event") event = fieldValue;
        else if (field === "data") data.push(fieldValue);
        else if (field === "id" && !fieldValue.includes("\0")) id = fieldValue;
      }
      buffer = buffer.slice(start);
      if (done) {
        finished = true;
        return;
      }
    }
  } finally {
    // Stopped early (the caller broke out of its loop): close the connection.
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
