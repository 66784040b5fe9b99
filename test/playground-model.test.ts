/**
 * The playground's logic without a browser: every gallery example compiles in-page style
 * (sucrase + the module loader) and runs on the same engine; the timeline drawn from its
 * events shows what the example is about; histories export, import and replay.
 */
import { checkHistory, decodeValue, Engine, MemoryStore, task, workflow, type ExecutionEvent, type StoredEvent } from "flux-ts";
import { describe, expect, it } from "vitest";
import { compileTypeScript, CompileError } from "../playground/src/compile.js";
import { examples, exampleById } from "../playground/src/examples/index.js";
import { exportHistory, importHistory, parseHistory, renameHistory, type HistoryDocument } from "../playground/src/history-io.js";
import { loadModule, type LoadedModule } from "../playground/src/load-module.js";
import { parseInput, readInput } from "../ui/parse-input.js";
import { formatDuration, GAP_WIDTH, labelWidth, overlapsGapLabel, TimeScale } from "../ui/time-scale.js";
import { buildTimeline, type Lane } from "../ui/timeline-model.js";
import { describePausedAt, openWaits, pausedAt } from "../ui/waiting.js";

const decode = (events: readonly StoredEvent[]): ExecutionEvent[] =>
  events.map((e) => ({ ...e, type: e.type as ExecutionEvent["type"], value: decodeValue(e.value) }));

async function runExample(id: string, store = new MemoryStore()) {
  const example = exampleById(id)!;
  const module = loadModule(await compileTypeScript(example.source));
  const engine = new Engine({ store });
  const ctx = await engine.run(module.main, parseInput(example.input));
  return { engine, store, module, ctx, example };
}

/** A history document replayed against a module's code, as the playground's Replay button does (the shared checkHistory). */
const checkReplay = (doc: HistoryDocument, module: LoadedModule) => checkHistory(module.workflows.get(doc.workflow)!, doc.events, { children: doc.children });

/** Runs of the examples, shared by the tests that only read them (each example runs once). */
const runs = new Map<string, ReturnType<typeof runExample>>();
function ran(id: string): ReturnType<typeof runExample> {
  if (!runs.has(id)) runs.set(id, runExample(id));
  return runs.get(id)!;
}

async function timelineOf(store: MemoryStore, executionId: string, now = Date.now()) {
  const events = decode(await store.load(executionId));
  const children = new Map<string, ExecutionEvent[]>();
  for (const summary of (await store.list()).executions) {
    if (summary.executionId.startsWith(`${executionId}.`)) children.set(summary.executionId, decode(await store.load(summary.executionId)));
  }
  return buildTimeline(events, children, now, executionId);
}

const marks = (lane: Lane | undefined) => lane?.marks.map((m) => m.kind);

const kinds = (lane: Lane | undefined) => lane?.segments.map((s) => s.kind);
const lane = (lanes: Lane[], label: string) => lanes.find((l) => l.label.endsWith(label));

describe("gallery examples", () => {
  it("each compiles, names its workflow, and runs to the state its page describes", async () => {
    const results = await Promise.all(examples.map(async (example) => [example, await ran(example.id)] as const));
    for (const [example, { ctx }] of results) {
      expect(ctx.name, example.id).toBe(example.workflow);
      const expected = example.id === "pause-resume" || example.id === "approval-by-event" ? "paused" : example.id === "rollback" ? "failed" : "succeeded";
      expect(ctx.state, example.id).toBe(expected);
    }
    expect(results.find(([e]) => e.id === "hello-world")![1].ctx.output).toBe("Hello, World");
    expect(results.find(([e]) => e.id === "graph")![1].ctx.output).toBe("Hello, Ada Lovelace");
    expect(results.find(([e]) => e.id === "parallel-subworkflows")![1].ctx.output).toEqual({ "flux-ts": 7007, hono: 4007, kysely: 6007 });
  });

  it("a compile error names the line", async () => {
    const error = await compileTypeScript("const x: = 1;").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CompileError);
    expect((error as CompileError).position?.line).toBe(1);
  });

  it("user code gets only flux-ts, and must define a workflow", async () => {
    expect(() => loadModule('require("node:fs")')).toThrow(/only "flux-ts"/);
    expect(() => loadModule("exports.x = 1;")).toThrow(/defines no workflow/);
  });
});

describe("timeline", () => {
  it("draws retries as failed attempts with waits, then the success or the fallback", async () => {
    const { store, ctx } = await ran("retries-fallback");
    const { lanes } = await timelineOf(store, ctx.executionId);
    expect(kinds(lane(lanes, "flaky_fetch"))).toEqual(["failed", "retry-wait", "failed", "retry-wait", "done"]);
    expect(lane(lanes, "flaky_fetch")!.marks.map((m) => m.kind)).toEqual(["retry", "retry"]);
    expect(kinds(lane(lanes, "live_exchange_rate"))).toEqual(["failed", "retry-wait", "failed", "retry-wait", "failed", "fallback"]);
    expect(lanes[0]).toMatchObject({ kind: "workflow", status: "done" });
  });

  it("draws a rollback after the failed attempt, and the failure", async () => {
    const { store, ctx } = await ran("rollback");
    const { lanes } = await timelineOf(store, ctx.executionId);
    expect(kinds(lane(lanes, "book_hotel"))).toEqual(["failed", "rollback"]);
    expect(lane(lanes, "book_hotel")!.status).toBe("failed");
    expect(lanes[0]!.status).toBe("failed");
  });

  it("nests subworkflows under their call, and graph nodes under the graph", async () => {
    const parallel = await ran("parallel-subworkflows");
    const { lanes } = await timelineOf(parallel.store, parallel.ctx.executionId);
    expect(lanes.filter((l) => l.kind === "call")).toHaveLength(3);
    expect(lanes.filter((l) => l.label.endsWith("get_repo_info")).map((l) => l.depth)).toEqual([3, 3, 3]);
    const graph = await ran("graph");
    const graphLanes = (await timelineOf(graph.store, graph.ctx.executionId)).lanes;
    expect(graphLanes.map((l) => [l.label.trim(), l.depth])).toEqual([
      ["graph_workflow", 0], ["1  audit", 1], ["2  greeting_graph", 1], ["2.1  normalize", 2], ["2.2  capitalize", 2], ["2.3  greet", 2],
    ]);
  });

  it("shows a pause as a gap until it is resumed", async () => {
    const { engine, store, ctx, module } = await runExample("pause-resume");
    let model = await timelineOf(store, ctx.executionId);
    expect(model.lanes[0]!.status).toBe("paused");
    expect(kinds(lane(model.lanes, "wait_for_approval"))).toEqual(["pause"]);
    expect(model.pauses).toHaveLength(1);
    const pausedReplay = await checkReplay(await exportHistory(store, ctx.executionId), module);
    expect(pausedReplay).toMatchObject({ result: "compatible" });
    const resumed = await engine.resume(module.main, ctx.executionId, "Ada");
    expect(resumed.output).toBe("invoice-42 processed and approved by Ada");
    model = await timelineOf(store, ctx.executionId);
    expect(kinds(lane(model.lanes, "wait_for_approval"))).toEqual(["resumed-pause"]);
    expect(model.pauses[0]!.end).toBeLessThanOrEqual(model.end);
    expect(model.lanes[0]!.marks.map((m) => m.kind)).toEqual(["paused", "resumed"]);
  });

  it("compresses a long pause to a fixed gap, keeping the rest to scale", () => {
    const hour = 3_600_000;
    const scale = new TimeScale(0, 2000 + hour, [{ start: 1000, end: 1000 + hour }], 600);
    expect(scale.gaps).toHaveLength(1);
    expect(scale.x(1000 + hour) - scale.x(1000)).toBeCloseTo(GAP_WIDTH);
    expect(scale.x(1000)).toBeCloseTo((600 - GAP_WIDTH) / 2);
    expect(scale.x(2000 + hour)).toBeCloseTo(600);
    const short = new TimeScale(0, 1000, [{ start: 400, end: 420 }], 600);
    expect(short.gaps).toHaveLength(0);
    expect(short.x(500)).toBeCloseTo(300);
  });
});

describe("event waits and cancellation on the timeline", () => {
  const eventLane = (lanes: Lane[]) => lanes.find((l) => l.kind === "event");
  const runApproval = async (input: object) => {
    const example = exampleById("approval-by-event")!;
    const module = loadModule(await compileTypeScript(example.source));
    const store = new MemoryStore();
    const engine = new Engine({ store });
    const ctx = await engine.run(module.main, input);
    return { engine, store, module, id: ctx.executionId, ctx };
  };

  it("draws an event wait waiting, then received with its payload", async () => {
    const { engine, store, module, id, ctx } = await runApproval({ id: "order-7", amount: 250, timeoutMs: 60_000 });
    expect(ctx.state).toBe("paused");
    const events = decode(await store.load(id));
    const started = events.find((e) => e.type === "EVENT_WAIT_STARTED")!;
    expect(openWaits(events)).toEqual([{ kind: "event", stepId: "2", name: "approval", until: started.time + 60_000 }]);
    expect(pausedAt(events.at(-1)!.value)).toEqual([{ kind: "event", name: "approval" }]);

    let model = await timelineOf(store, id);
    let wait = eventLane(model.lanes);
    expect(wait).toMatchObject({ label: '2  event "approval"', status: "waiting" });
    expect(kinds(wait)).toEqual(["event-wait"]);
    expect(wait!.segments[0]).toMatchObject({ end: undefined, label: 'waiting for event "approval", timeout 1 min 0 s' });
    expect(model.lanes[0]).toMatchObject({ status: "paused" });
    expect(model.lanes[0]!.segments.at(-1)!.label).toBe('paused: waiting for event "approval"');
    expect(model.pauses).toHaveLength(1);

    await engine.sendEvent(id, "approval", { approved: true, by: "Ada" });
    // The engine that ran it wakes it (its dispatcher's kick): poll for the end.
    await expect.poll(async () => (await store.get(id))?.state).toBe("succeeded");
    expect((await engine.inspect(id))!.output).toBe("order-7 approved by Ada and shipped");
    const after = decode(await store.load(id));
    expect(openWaits(after)).toEqual([]);
    model = await timelineOf(store, id);
    wait = eventLane(model.lanes);
    expect(wait!.status).toBe("done");
    expect(kinds(wait)).toEqual(["event-received"]);
    expect(wait!.segments[0]!.label).toMatch(/^event "approval" received after .+: \{"approved":true,"by":"Ada"\}$/);
    expect(wait!.marks).toEqual([expect.objectContaining({ kind: "received", label: 'received "approval" (#1): {"approved":true,"by":"Ada"}' })]);
    expect(marks(model.lanes[0])).toEqual(["paused", "resumed"]);
    expect(lane(model.lanes, "ship")!.status).toBe("done");
    expect(model.pauses[0]!.end).toBe(after.find((e) => e.type === "WORKFLOW_RESUMED")!.time);
    // The history replays: the payload comes from it, not from an inbox.
    const report = await checkReplay(await exportHistory(store, id), module);
    expect(report).toMatchObject({ result: "compatible" });
  });

  it("draws an event wait that timed out", async () => {
    const { engine, store, module, id } = await runApproval({ id: "order-8", amount: 5, timeoutMs: 30 });
    expect((await store.get(id))?.state).toBe("paused");
    // Nothing wakes it here but a run once the timeout passed (the playground's runner does that at its wakeAt).
    await expect.poll(async () => (await engine.run(module.main, undefined, { executionId: id })).state).toBe("succeeded");
    expect((await engine.inspect(id))!.output).toBe("order-8 expired: no approval within 0.03 s");
    const model = await timelineOf(store, id);
    const wait = eventLane(model.lanes)!;
    expect(kinds(wait)).toEqual(["event-timeout"]);
    expect(wait.segments[0]!.label).toMatch(/^no event "approval": timed out after /);
    expect(marks(wait)).toEqual(["timed-out"]);
    expect(wait.status).toBe("done");
    expect(model.lanes[0]!.status).toBe("done");
  });

  it("ends a cancelled execution where it stopped: the wait it was in, the pause, the axis", async () => {
    const { engine, store, id } = await runApproval({ id: "order-9", amount: 1, timeoutMs: 60_000 });
    expect(await engine.cancel(id, "no longer needed")).toEqual({ executionId: id, state: "cancelled", cancelled: true });
    const events = decode(await store.load(id));
    const cancelledAt = events.at(-1)!;
    expect(cancelledAt.type).toBe("WORKFLOW_CANCELLED");
    expect(openWaits(events)).toEqual([]);
    const model = await timelineOf(store, id, cancelledAt.time + 3_600_000); // drawn an hour later: nothing grows
    expect(model.end).toBe(cancelledAt.time);
    expect(model.pauses).toEqual([{ start: events.find((e) => e.type === "WORKFLOW_PAUSED")!.time, end: cancelledAt.time }]);
    const workflowLane = model.lanes[0]!;
    expect(workflowLane.status).toBe("cancelled");
    expect(workflowLane.segments.at(-1)).toMatchObject({ kind: "pause", end: cancelledAt.time });
    expect(workflowLane.marks.at(-1)).toMatchObject({ kind: "cancelled", label: "cancelled: no longer needed", time: cancelledAt.time });
    const wait = eventLane(model.lanes)!;
    expect(wait.status).toBe("cancelled");
    expect(wait.segments).toEqual([expect.objectContaining({ kind: "event-wait", end: cancelledAt.time })]);
    expect(marks(wait)).toEqual(["cancelled"]);
  });

  it("ends a task cancelled while it ran as cancelled, not as still running", async () => {
    const store = new MemoryStore();
    const engine = new Engine({ store });
    const slow = task.withContext("slow_step", (tc) => new Promise<string>((resolve) => tc.signal.addEventListener("abort", () => resolve("stopped"))));
    const wf = workflow("slow_workflow", async (ctx) => ctx.run(slow));
    let taskStarted = false;
    engine.subscribe((notice) => {
      if (notice.kind === "event" && notice.event.type === "TASK_STARTED") taskStarted = true;
    });
    const { executionId, result } = await engine.start(wf, undefined);
    await expect.poll(() => taskStarted).toBe(true);
    expect((await engine.cancel(executionId)).state).toBe("cancelled");
    expect((await result).state).toBe("cancelled");
    const events = decode(await store.load(executionId));
    const end = events.at(-1)!;
    const model = await timelineOf(store, executionId, end.time + 60_000);
    expect(model.end).toBe(end.time);
    expect(model.lanes[0]).toMatchObject({ status: "cancelled" });
    expect(kinds(model.lanes[0])).toEqual(["cancelled"]);
    expect(model.lanes[0]!.marks.map((m) => m.label)).toEqual([expect.stringMatching(/^cancelled/)]);
    const step = lane(model.lanes, "slow_step")!;
    expect(step.status).toBe("cancelled");
    expect(step.segments).toEqual([expect.objectContaining({ kind: "cancelled", end: end.time })]);
  });

  it("reads what WORKFLOW_PAUSED names, new values and old ones", () => {
    expect(describePausedAt("wait_for_approval")).toBe('pause "wait_for_approval"');
    expect(describePausedAt("event:approval")).toBe('event "approval"');
    expect(describePausedAt("call:child_flow")).toBe('subworkflow "child_flow"');
    expect(describePausedAt("sleep")).toBe("a sleep");
    expect(pausedAt({ pauses: ["a", "b"] })).toEqual([{ kind: "pause", name: "a" }, { kind: "pause", name: "b" }]);
    expect(pausedAt(["a"])).toEqual([{ kind: "pause", name: "a" }]);
    expect(pausedAt(null)).toEqual([]);
  });
});

describe("the time axis", () => {
  it("draws no tick label over a pause's \"paused N\" label, however long the pause", () => {
    for (const pause of [3_000, 125_000, 3 * 3_600_000]) {
      const scale = new TimeScale(0, 2_000 + pause, [{ start: 1_000, end: 1_000 + pause }], 600);
      const gaps = scale.gaps.map((gap) => ({ x0: gap.x0, x1: gap.x1, label: `paused ${formatDuration(gap.end - gap.start)}` }));
      expect(gaps).toHaveLength(1);
      const shown = scale.ticks(0).filter((tick) => !overlapsGapLabel(tick.x, tick.label, gaps));
      expect(shown.length, `pause ${pause}`).toBeGreaterThan(0);
      const gap = gaps[0]!;
      const center = (gap.x0 + gap.x1) / 2;
      for (const tick of shown) {
        // The two labels' extents (both centered) do not meet.
        expect(Math.abs(tick.x - center), `${tick.label} vs ${gap.label}`).toBeGreaterThanOrEqual(labelWidth(tick.label) / 2 + Math.max(labelWidth(gap.label, true), gap.x1 - gap.x0) / 2);
      }
    }
  });
});

describe("input boxes", () => {
  it("take JSON, or text as a string, and say so when almost-JSON is taken as text", () => {
    expect(readInput('{"name": "Ada"}')).toEqual({ value: { name: "Ada" } });
    expect(readInput("Ada")).toEqual({ value: "Ada" });
    expect(readInput("  ")).toEqual({ value: undefined });
    for (const almost of ['{name: "Ada"}', "[1, 2,]", "01", '"unterminated']) {
      const read = readInput(almost);
      expect(read.value, almost).toBe(almost);
      expect(read.warning, almost).toMatch(/^not valid JSON \(.+\): taken as the text /);
    }
    expect(parseInput("{name: 1}")).toBe("{name: 1}");
  });
});

describe("histories", () => {
  it("export, import elsewhere, and replay deterministically, subworkflows included", async () => {
    for (const id of ["parallel-subworkflows", "retries-fallback", "rollback", "determinism"]) {
      const { store, ctx, module } = await ran(id);
      const doc = parseHistory(JSON.stringify(await exportHistory(store, ctx.executionId)));
      const other = new MemoryStore();
      expect(await importHistory(other, doc)).toBe(ctx.executionId);
      expect(await other.load(ctx.executionId)).toEqual(await store.load(ctx.executionId));
      const report = await checkReplay(doc, module);
      expect(report, id).toMatchObject({ result: "compatible" });
    }
  });

  it("a replay against changed code is caught as non-deterministic", async () => {
    const { store, ctx, example } = await ran("retries-fallback");
    const changed = loadModule(await compileTypeScript(example.source.replace('name: "live_exchange_rate"', 'name: "live_rate"')));
    const report = await checkReplay(await exportHistory(store, ctx.executionId), changed);
    expect(report.result).toBe("divergent");
    expect(report.divergence).toMatch(/live_exchange_rate/);
  });

  it("imports a bare event array with decoded values, and renames on an id clash", async () => {
    const { store, ctx } = await runExample("hello-world");
    const stored = await store.load(ctx.executionId);
    const decoded = decode(stored).map((e) => ({ ...e, time: new Date(e.time).toISOString() }));
    const doc = parseHistory(JSON.stringify(decoded));
    expect(doc.events).toEqual(stored);
    expect(await importHistory(store, doc)).toBe(ctx.executionId); // the same history: nothing to do
    const changed = { ...doc, events: doc.events.map((e, i) => (i === 2 ? { ...e, value: JSON.stringify("Hi") } : e)) };
    const id = await importHistory(store, changed);
    expect(id).toBe(`${ctx.executionId}-import-1`);
    expect((await store.load(id))[0]!.sourceId).toBe(id);
    expect(renameHistory(doc, "x").events.at(-1)!.sourceId).toBe("x");
  });

  it("imports the HTTP API's inspect answer (docs/http.md), and replays it", async () => {
    const inspect = {
      execution_id: "8b6f078d-1d43-40f0-bed3-ed062c8f6fb3", name: "hello_world", input: "World", output: "Hello, World", state: "succeeded",
      events: [
        { id: 0, type: "WORKFLOW_STARTED", source_id: "8b6f078d-1d43-40f0-bed3-ed062c8f6fb3", name: "hello_world", value: "World", time: "2026-11-21T06:06:38.727Z" },
        { id: 1, type: "TASK_STARTED", source_id: "1", name: "say_hello", value: ["World"], time: "2026-11-21T06:06:38.727Z" },
        { id: 2, type: "TASK_COMPLETED", source_id: "1", name: "say_hello", value: "Hello, World", time: "2026-11-21T06:06:38.727Z" },
        { id: 3, type: "WORKFLOW_COMPLETED", source_id: "8b6f078d-1d43-40f0-bed3-ed062c8f6fb3", name: "hello_world", value: "Hello, World", time: "2026-11-21T06:06:38.728Z" },
      ],
    };
    const doc = parseHistory(JSON.stringify(inspect));
    expect(doc.executionId).toBe(inspect.execution_id);
    expect(doc.events[2]).toMatchObject({ sourceId: "1", value: '"Hello, World"', time: Date.parse("2026-11-21T06:06:38.727Z") });
    const { module } = await ran("hello-world");
    expect((await checkReplay(doc, module)).result).toBe("compatible");
  });

  it("refuses what is not a history, saying why", () => {
    expect(() => parseHistory("nope")).toThrow(/not JSON/);
    expect(() => parseHistory("{}")).toThrow(/events/);
    expect(() => parseHistory(JSON.stringify([{ id: 0, type: "TASK_STARTED", sourceId: "1", name: "a", value: "null", time: 1 }]))).toThrow(/WORKFLOW_STARTED/);
    expect(() => parseHistory(JSON.stringify([{ id: 0, type: "WORKFLOW_STARTED", sourceId: "e", name: "w", value: "null", time: 1 }, { id: 5, type: "WORKFLOW_COMPLETED", sourceId: "e", name: "w", value: "null", time: 2 }]))).toThrow(/without gaps/);
  });
});
