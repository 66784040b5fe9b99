// The Worker of the R2 blob-store test, bundled by vite and run in workerd by Miniflare: it runs
// R2BlobStore on its real local R2 binding (env.BUCKET) for the Node side, which POSTs
// { op: "open", prefix } (answers a handle), { op: "call", handle, method, args } or
// { op: "keys" } (every object name of the bucket); an argument { undefined: true } stands for undefined. Errors come back as data (name, message).
import { R2BlobStore } from "../../adapters/worker/r2-blob-store.js";
import type { R2BucketLike } from "../../adapters/worker/r2-bucket-like.js";

type Request_ = { op: "open"; prefix?: string } | { op: "call"; handle: number; method: "put" | "get" | "delete" | "close"; args: unknown[] } | { op: "keys" };
type Bucket = R2BucketLike & { list(options: { cursor?: string }): Promise<{ objects: { key: string }[]; truncated: boolean; cursor?: string }> };

const stores: R2BlobStore[] = [];

async function keys(bucket: Bucket): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await bucket.list(cursor === undefined ? {} : { cursor });
    names.push(...page.objects.map((o) => o.key));
    if (!page.truncated) return names.sort();
    cursor = page.cursor;
  }
}

export default {
  async fetch(request: Request, env: { BUCKET: Bucket }): Promise<Response> {
    const body = (await request.json()) as Request_;
    try {
      if (body.op === "open") return Response.json({ value: stores.push(new R2BlobStore(env.BUCKET, body.prefix === undefined ? {} : { prefix: body.prefix })) - 1 });
      if (body.op === "keys") return Response.json({ value: await keys(env.BUCKET) });
      const store = stores[body.handle]!;
      // JSON has no undefined: the Node side sends it as { undefined: true }.
      const args = body.args.map((a) => (typeof a === "object" && a !== null && "undefined" in a ? undefined : a));
      const value = await (store[body.method] as (...a: unknown[]) => Promise<unknown>).apply(store, args);
      return Response.json({ value });
    } catch (error) {
      const { name, message } = error instanceof Error ? error : new Error(String(error));
      return Response.json({ error: { name, message } });
    }
  },
};
