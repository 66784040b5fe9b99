import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { BlobStore } from "../src/blobs/blob-store.js";
import { StoreError, UsageError } from "../src/errors.js";

/** How {@link testBlobStore} makes the stores under test. */
export interface BlobStoreSuite {
  readonly name: string;
  /** A new, empty store. The suite closes it after the case. */
  readonly open: () => Promise<BlobStore>;
  /** A new store on the data of `store`, which the suite has closed. Absent for a store that keeps nothing. */
  readonly reopen?: (store: BlobStore) => Promise<BlobStore>;
  /**
   * Everything `store` keeps, as its backend sees it (file paths, IndexedDB keys, R2 object keys),
   * to show that a rejected call wrote nothing, not even outside the store. Absent: not checked.
   */
  readonly footprint?: (store: BlobStore) => Promise<readonly string[]>;
  /** Runs once after the file's cases (removes directories, stops runtimes). */
  readonly cleanup?: () => Promise<void>;
  /** Cases this store does not run, and why. A skip always carries its reason. */
  readonly skip?: readonly { readonly reason: string; readonly tests: readonly BlobCase[] }[];
}

type Context = { open: () => Promise<BlobStore>; reopen: (store: BlobStore) => Promise<BlobStore>; footprint: (store: BlobStore) => Promise<readonly string[] | undefined> };

/** A text of `size` characters mixing ASCII, two- to four-byte UTF-8 and JSON punctuation, different at every offset. */
function mixedText(size: number): string {
  const parts = ['{"a":', "é", "✓", "𝄞", "\n", "\\", '"', "0123456789abcdefghijklmnopqrstuvwxyz"];
  const chunks: string[] = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const chunk = `${parts[i % parts.length]}${i.toString(36)}`;
    chunks.push(chunk);
    length += chunk.length;
  }
  const text = chunks.join("").slice(0, size);
  // Never end on half a surrogate pair: a lone surrogate is not text any UTF-8 store can keep.
  return /[\uD800-\uDBFF]$/.test(text) ? `${text.slice(0, -1)}x` : text;
}

/** Asserts `actual` is `expected` without printing megabytes when it is not. */
function expectSameText(actual: string | undefined, expected: string, what: string): void {
  if (actual === expected) return;
  const at = actual === undefined ? -1 : [...Array(Math.min(actual.length, expected.length)).keys()].find((i) => actual[i] !== expected[i]) ?? Math.min(actual.length, expected.length);
  expect.fail(`${what}: expected ${expected.length} characters, got ${actual === undefined ? "undefined" : `${actual.length} characters, first difference at ${at}`}`);
}

const key = (n: number | string) => `sha256-${String(n).padStart(4, "0")}`;
const invalidKeys: unknown[] = ["", "../x", "a/b", "x".repeat(201), ".hidden", "a b", "a\\b", 42, null, undefined];

const cases = {
  "returns what was put under a key": async ({ open }: Context) => {
    const store = await open();
    await store.put(key(1), '{"total":42}');
    expect(await store.get(key(1))).toBe('{"total":42}');
    expect(await store.get(key(2))).toBeUndefined();
  },
  "keeps unicode, control characters, a leading BOM and JSON text exactly": async ({ open }: Context) => {
    const store = await open();
    const texts = [
      JSON.stringify({ name: "Zoë", emoji: "👩‍💻", music: "𝄞", nested: [1, "two", null, { deep: true }] }),
      "\uFEFFstarts with a byte order mark",
      "line\r\nbreaks\rand\ttabs\u0000and a NUL",
      "ｆｕｌｌｗｉｄｔｈ 日本語 עברית العربية e\u0301",
    ];
    await Promise.all(texts.map((text, i) => store.put(key(i), text)));
    for (const [i, text] of texts.entries()) expect(await store.get(key(i)), text).toBe(text);
  },
  "keeps an empty string as a value, not as absence": async ({ open }: Context) => {
    const store = await open();
    await store.put(key("empty"), "");
    expect(await store.get(key("empty"))).toBe("");
  },
  "keeps an 8 MB value intact": async ({ open }: Context) => {
    const store = await open();
    const big = mixedText(8 * 1024 * 1024);
    await store.put(key("big"), big);
    expectSameText(await store.get(key("big")), big, "the 8 MB value");
  },
  "answers undefined for a key never put": async ({ open }: Context) => {
    const store = await open();
    expect(await store.get(key("missing"))).toBeUndefined();
    expect(await store.get("a".repeat(200))).toBeUndefined();
  },
  "keeps the first data when a key is put again, and resolves": async ({ open }: Context) => {
    const store = await open();
    await store.put(key(1), "first");
    await expect(store.put(key(1), "second")).resolves.toBeUndefined();
    expect(await store.get(key(1))).toBe("first");
  },
  "takes concurrent puts of one key and of 50 different keys": async ({ open }: Context) => {
    const store = await open();
    const same = mixedText(64 * 1024);
    await Promise.all(Array.from({ length: 10 }, () => store.put(key("same"), same)));
    expectSameText(await store.get(key("same")), same, "the key put 10 times at once");
    const texts = Array.from({ length: 50 }, (_, i) => `${i}:${mixedText(1000 + i * 97)}`);
    await Promise.all(texts.map((text, i) => store.put(key(i), text)));
    const read = await Promise.all(texts.map((_, i) => store.get(key(i))));
    for (const [i, text] of texts.entries()) expectSameText(read[i], text, `key ${i}`);
  },
  "deletes a key; deleting a missing key resolves; the key can be put again": async ({ open }: Context) => {
    const store = await open();
    await store.put(key(1), "one");
    await store.put(key(2), "two");
    await store.delete(key(1));
    expect(await store.get(key(1))).toBeUndefined();
    expect(await store.get(key(2))).toBe("two");
    await expect(store.delete(key(1))).resolves.toBeUndefined();
    await expect(store.delete(key("never"))).resolves.toBeUndefined();
    await store.put(key(1), "one again");
    expect(await store.get(key(1))).toBe("one again");
  },
  "rejects an invalid key with a UsageError naming it, writing nothing": async ({ open, footprint }: Context) => {
    const store = await open();
    await store.put(key(1), "kept");
    const before = await footprint(store);
    for (const bad of invalidKeys) {
      for (const call of [() => store.put(bad as string, "x"), () => store.get(bad as string), () => store.delete(bad as string)]) {
        const error = await call().then(() => undefined, (e: unknown) => e);
        expect(error, `key ${String(JSON.stringify(bad))}`).toBeInstanceOf(UsageError);
        expect((error as Error).message).toContain(String(JSON.stringify(bad)));
      }
    }
    const data = await store.put(key(3), 42 as unknown as string).then(() => undefined, (e: unknown) => e);
    expect(data, "data that is not a string").toBeInstanceOf(UsageError);
    expect(await store.get(key(3))).toBeUndefined();
    expect(await footprint(store)).toEqual(before);
    expect(await store.get(key(1))).toBe("kept");
  },
  "rejects every call with a StoreError once closed; closing twice is harmless": async ({ open }: Context) => {
    const store = await open();
    await store.put(key(1), "one");
    if (store.close === undefined) throw new Error("the store has no close(): every blob store in flux-ts has one");
    await store.close();
    await expect(store.close()).resolves.toBeUndefined();
    for (const call of [() => store.put(key(2), "two"), () => store.get(key(1)), () => store.delete(key(1))]) {
      await expect(call()).rejects.toBeInstanceOf(StoreError);
    }
  },
  "keeps blobs and deletions across close and reopen": async ({ open, reopen }: Context) => {
    const store = await open();
    const big = mixedText(2 * 1024 * 1024);
    await store.put(key("big"), big);
    await store.put(key("empty"), "");
    await store.put(key("gone"), "deleted before the close");
    await store.delete(key("gone"));
    await store.close?.();
    const again = await reopen(store);
    expectSameText(await again.get(key("big")), big, "the value after reopen");
    expect(await again.get(key("empty"))).toBe("");
    expect(await again.get(key("gone"))).toBeUndefined();
    await again.put(key("big"), "not this");
    expectSameText(await again.get(key("big")), big, "the value put again after reopen");
  },
};

/** The title of one blob-store conformance case, as `skip` names it. */
export type BlobCase = keyof typeof cases;

/**
 * Registers the BlobStore conformance suite (vitest) for one store: every store passes every
 * case, bar those it skips with a reason. The durability case needs `reopen`: a store without it
 * must skip that case, so a missing capability is always explicit.
 *
 * @example
 * testBlobStore({ name: "memory", open: async () => new MemoryBlobStore(), skip: [{ reason: "keeps nothing", tests: ["keeps blobs and deletions across close and reopen"] }] });
 */
export function testBlobStore(suite: BlobStoreSuite): void {
  const skipped = new Map<string, string>();
  for (const { reason, tests } of suite.skip ?? []) {
    if (reason.trim() === "") throw new Error(`${suite.name}: a skip needs a reason`);
    for (const test of tests) {
      if (!(test in cases)) throw new Error(`${suite.name}: skip names an unknown blob case ${JSON.stringify(test)}`);
      skipped.set(test, reason);
    }
  }

  describe(`BlobStore conformance: ${suite.name}`, () => {
    const opened: BlobStore[] = [];
    const track = async (store: Promise<BlobStore>) => {
      const s = await store;
      opened.push(s);
      return s;
    };
    const context: Context = {
      open: () => track(suite.open()),
      reopen: (store) => {
        if (suite.reopen === undefined) throw new Error(`${suite.name} gives no reopen: pass one, or skip this case with a reason`);
        return track(suite.reopen(store));
      },
      footprint: async (store) => suite.footprint?.(store),
    };
    afterEach(async () => {
      await Promise.allSettled(opened.splice(0).map((store) => store.close?.()));
    });
    afterAll(async () => {
      await suite.cleanup?.();
    });
    for (const [title, run] of Object.entries(cases) as [BlobCase, (c: Context) => Promise<void>][]) {
      const reason = skipped.get(title);
      if (reason === undefined) it(title, () => run(context), 120_000);
      else it.skip(`${title} (skipped: ${reason})`, () => undefined);
    }
  });
}
