/**
 * Output storage: values over the engine's threshold go to a blob store once and the log holds a
 * reference; replay fetches them when it reaches their step; a task keeps its values inline or
 * sets its own threshold; a value over the hard limit fails its step naming the task and the
 * size; secrets are redacted before a value is written anywhere; a blob that cannot be written
 * keeps its reference out of the log.
 */
import { describe, expect, it } from "vitest";
import {
  Engine, MemoryBlobStore, MemoryStore, StoredBlob, StoreError, ValueTooLargeError, secretsFrom, task, workflow,
  type BlobStore, type WorkflowExecutionContext,
} from "../src/index.js";
import { createRouter } from "../src/http/index.js";
import { blobRefOf } from "../src/blobs/stored-blob.js";

const KB = 1024;
const big = task("big", async (size: number) => "x".repeat(size));
const measure = task("measure", async (text: string) => text.length);
/** Makes a large value, measures it in a second task, and returns it. */
const flow = workflow("large_values", async (ctx: WorkflowExecutionContext<number>) => {
  const value = await ctx.run(big, ctx.input);
  await ctx.run(measure, value);
  return value;
});

/** A blob store that counts its calls, and can be made to fail or be slow. */
class CountingBlobs implements BlobStore {
  readonly inner = new MemoryBlobStore();
  puts = 0;
  gets = 0;
  failPuts = false;
  slow = false;
  async put(key: string, data: string): Promise<void> {
    this.puts += 1;
    if (this.slow) await new Promise((resolve) => setTimeout(resolve, 1));
    if (this.failPuts) throw new StoreError(`blob ${key}: the disk is full`);
    return this.inner.put(key, data);
  }
  async get(key: string): Promise<string | undefined> {
    this.gets += 1;
    return this.inner.get(key);
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
}

function setup(threshold = 100 * KB) {
  const store = new MemoryStore();
  const blobs = new CountingBlobs();
  const engine = (more: Partial<ConstructorParameters<typeof Engine>[0]> = {}) => new Engine({ store, outputStorage: { blobs, threshold }, workflows: [flow], ...more });
  return { store, blobs, engine };
}

describe("output storage", () => {
  it("keeps a value over the threshold in the blob store, once, and a reference in the log", async () => {
    const { store, blobs, engine } = setup();
    const ctx = await engine().run(flow, 300 * KB);
    expect(ctx.succeeded).toBe(true);
    expect(ctx.output).toBe("x".repeat(300 * KB));
    const events = await store.load(ctx.executionId);
    const refs = events.filter((event) => blobRefOf(event.value) !== undefined);
    // The result, the measuring task's arguments (["xxx…"], another text) and the output (the same
    // text as the result: written once, its reference reused).
    expect(refs.map((event) => event.type)).toEqual(["TASK_COMPLETED", "TASK_STARTED", "WORKFLOW_COMPLETED"]);
    expect(blobs.puts).toBe(2);
    expect(refs[2]!.value).toBe(refs[0]!.value);
    const blob = blobRefOf(refs[0]!.value)!;
    expect(blob.size).toBe(300 * KB + 2);
    expect(await blobs.inner.get(blob.key)).toBe(JSON.stringify("x".repeat(300 * KB)));
    // A small value stays in the log.
    expect(events.find((event) => event.type === "TASK_COMPLETED" && event.name === "measure")!.value).toBe(String(300 * KB));
    // The log is small: no event holds the value itself.
    expect(Math.max(...events.map((event) => event.value.length))).toBeLessThan(200);
  });

  it("replay fetches a large value only when it reaches its step; ctx.events shows where each is", async () => {
    const { store, blobs, engine } = setup();
    const first = await engine().run(flow, 200 * KB);
    // As if the process died after the second step: the replay returns both recorded results.
    const events = await store.load(first.executionId);
    const cut = new MemoryStore();
    await cut.commit(first.executionId, events.slice(0, -1), { expectedSeq: 0 });
    blobs.gets = 0;
    const replay = await new Engine({ store: cut, outputStorage: { blobs, threshold: 100 * KB } }).run(flow, undefined, { executionId: first.executionId });
    expect(replay.output).toBe("x".repeat(200 * KB));
    expect(blobs.gets).toBe(1); // the first step's result; the output reuses the same value
    const marker = replay.events.find((event) => event.type === "TASK_COMPLETED")!.value;
    expect(marker).toBeInstanceOf(StoredBlob);
    expect((marker as StoredBlob).size).toBe(200 * KB + 2);
    // Loading a finished execution fetches its output (and input) only.
    blobs.gets = 0;
    const loaded = await engine().inspect(first.executionId);
    expect(loaded!.output).toBe("x".repeat(200 * KB));
    expect(blobs.gets).toBe(1);
  });

  it("lets a task keep its values inline, or send its smaller ones out", async () => {
    const inline = task({ name: "inline", outputStorage: "inline" }, async (size: number) => "y".repeat(size));
    const eager = task({ name: "eager", outputStorage: { threshold: 10 } }, async () => "z".repeat(20));
    const wf = workflow("per_task", async (ctx) => {
      const a = await ctx.run(inline, 200 * KB);
      const b = await ctx.run(eager);
      return a.length + b.length;
    });
    const { store, blobs, engine } = setup();
    const ctx = await engine().run(wf, undefined);
    expect(ctx.output).toBe(200 * KB + 20);
    const events = await store.load(ctx.executionId);
    const completed = events.filter((event) => event.type === "TASK_COMPLETED");
    expect(completed[0]!.value).toBe(JSON.stringify("y".repeat(200 * KB)));
    expect(blobRefOf(completed[1]!.value)).toBeDefined();
    expect(blobs.puts).toBe(1);
  });

  it("fails a step whose value is over the hard limit, naming the task and the size, recording nothing of it", async () => {
    const { store, blobs, engine } = setup(10 * KB);
    const ctx = await engine({ valueLimit: 50 * KB }).run(flow, 60 * KB);
    expect(ctx.failed).toBe(true);
    const cause = (ctx.output as Error).cause as Error;
    expect(cause).toBeInstanceOf(ValueTooLargeError);
    expect(cause.message).toContain('task "big"');
    expect(cause.message).toContain("61,442 characters");
    expect(cause.message).toContain("limit of 51,200");
    expect(blobs.puts).toBe(0);
    const events = await store.load(ctx.executionId);
    expect(events.map((event) => event.type)).toEqual(["WORKFLOW_STARTED", "TASK_STARTED", "TASK_FAILED", "WORKFLOW_FAILED"]);
    expect(Math.max(...events.map((event) => event.value.length))).toBeLessThan(10 * KB);
    // Too large arguments fail the step before it runs.
    const echo = task("echo", async (text: string) => text.length);
    const sends = workflow("sends", async (ctx: WorkflowExecutionContext<string>) => ctx.run(echo, ctx.input));
    const refused = await engine({ valueLimit: 50 * KB }).run(sends, "a".repeat(40 * KB)).catch((error: unknown) => error);
    expect(refused).toBeDefined();
  });

  it("redacts secrets before a value is written to the blob store", async () => {
    const secret = "s3cr3t-token-value";
    const leaky = task.withContext({ name: "leaky", secrets: ["TOKEN"] }, async (tc) => `${tc.secrets.TOKEN} `.repeat(20_000));
    const wf = workflow("leaky_flow", async (ctx) => (await ctx.run(leaky)).length);
    const { store, blobs, engine } = setup();
    const ctx = await engine({ secrets: secretsFrom({ TOKEN: secret }) }).run(wf, undefined);
    expect(ctx.succeeded).toBe(true);
    expect(blobs.puts).toBe(1);
    const refs = (await store.load(ctx.executionId)).flatMap((event) => blobRefOf(event.value) ?? []);
    const stored = await Promise.all(refs.map(async (blob) => (await blobs.inner.get(blob.key))!));
    expect(stored).toHaveLength(1);
    expect(stored[0]).not.toContain(secret);
    expect(stored[0]).toContain("[secret]");
  });

  it("commits no reference to a blob that was not written: the run stops, and a later run completes it", async () => {
    const small = workflow("small_then_large", async (ctx: WorkflowExecutionContext<number>) => {
      await ctx.run(measure, "small");
      return (await ctx.run(big, ctx.input)).length;
    });
    const { store, blobs, engine } = setup();
    blobs.failPuts = true;
    const failed = await engine({ workflows: [small] }).run(small, 200 * KB, { executionId: "blob-fails" }).then(() => undefined, (error: unknown) => error);
    expect(failed).toBeInstanceOf(StoreError);
    expect((failed as Error).message).toContain("the disk is full");
    // The first step is durable; the large one's result, whose blob was not written, is not.
    const events = await store.load("blob-fails");
    expect(events.map((event) => event.type)).toEqual(["WORKFLOW_STARTED", "TASK_STARTED", "TASK_COMPLETED"]);
    expect(events.some((event) => blobRefOf(event.value) !== undefined)).toBe(false);
    // The blob store works again: recovery runs the large step again and finishes.
    blobs.failPuts = false;
    const recovered = await engine({ workflows: [small], leaseTtl: 1 }).run(small, undefined, { executionId: "blob-fails" });
    expect(recovered.output).toBe(200 * KB);
    expect((await store.load("blob-fails")).filter((event) => blobRefOf(event.value) !== undefined)).toHaveLength(1);
  });

  it("keeps commits in order while blob writes are slow", async () => {
    const many = workflow("many_large", async (ctx) => {
      let total = 0;
      for (let i = 0; i < 20; i++) total += (await ctx.run(big, i % 2 === 0 ? 150 * KB + i : 10)).length;
      return total;
    });
    const { store, blobs, engine } = setup();
    blobs.slow = true;
    const ctx = await engine().run(many, undefined);
    expect(ctx.succeeded).toBe(true);
    const events = await store.load(ctx.executionId);
    expect(events.map((event) => event.id)).toEqual(events.map((_, i) => i));
    expect(blobs.puts).toBe(10);
    const replay = await engine().run(many, undefined, { executionId: ctx.executionId });
    expect(replay.output).toBe(ctx.output);
  });

  it("answers GET /inspect with the values themselves; an engine without output storage says what it lacks", async () => {
    const { engine } = setup();
    const e = engine();
    const ctx = await e.run(flow, 150 * KB);
    const body = await (await createRouter(e).request(`/inspect/${ctx.executionId}`)).json() as Record<string, any>;
    expect(body.output).toBe("x".repeat(150 * KB));
    expect(body.events.find((event: { type: string }) => event.type === "TASK_COMPLETED").value).toEqual({ $ref: "#/output" });
    const bare = new Engine({ store: e.store, workflows: [flow] });
    await expect(bare.inspect(ctx.executionId)).rejects.toThrow(/this engine has no output storage: give it EngineOptions.outputStorage/);
  });

  it("refuses options that cannot work, naming them", () => {
    const blobs = new MemoryBlobStore();
    expect(() => new Engine({ outputStorage: { blobs, threshold: -1 } })).toThrow(/outputStorage.threshold must be a whole number/);
    expect(() => new Engine({ valueLimit: 0 })).toThrow(/valueLimit must be a whole number/);
    expect(() => new Engine({ outputStorage: { blobs: {} as BlobStore } })).toThrow(/must be a BlobStore/);
  });
});
