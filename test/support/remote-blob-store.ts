import type { BlobStore } from "../../src/blobs/blob-store.js";
import { StoreError, UsageError } from "../../src/errors.js";

/** What a call answers across a boundary (a page, a Worker): its value, or its error as data. */
export type RemoteAnswer = { readonly value?: unknown; readonly error?: { readonly name: string; readonly message: string } };

const errorClasses: Record<string, new (message: string) => Error> = { StoreError, UsageError };

/** The value of `answer`, or its error rebuilt as the same class (`where` prefixed to the message). */
export function unwrapAnswer(answer: RemoteAnswer, where: string): unknown {
  if (answer.error === undefined) return answer.value;
  throw new (errorClasses[answer.error.name] ?? Error)(`[${where}] ${answer.error.message}`);
}

/**
 * A BlobStore whose every call runs elsewhere (in a Chromium page, in workerd): `call` sends the
 * method and its arguments and answers the result. `name` says which data it is on, for reopen.
 */
export class RemoteBlobStore implements BlobStore {
  constructor(readonly name: string, readonly call: (method: "put" | "get" | "delete" | "close", args: unknown[]) => Promise<unknown>) {}

  async put(key: string, data: string): Promise<void> {
    await this.call("put", [key, data]);
  }
  async get(key: string): Promise<string | undefined> {
    return (await this.call("get", [key])) as string | undefined;
  }
  async delete(key: string): Promise<void> {
    await this.call("delete", [key]);
  }
  async close(): Promise<void> {
    await this.call("close", []);
  }
}
