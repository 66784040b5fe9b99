// Schedules: each firing starts its workflow as the execution `<name>:<ISO time>`, once whatever
// the number of runners; a runner down for several firings starts the latest; overlap "skip"
// skips a firing while the previous one runs; cron expressions are read in their time zone.
import { describe, expect, test } from "vitest";
import { Engine, MemoryStore, UsageError, VirtualClock, task, workflow, type StateStore, type WorkflowExecutionContext } from "flux-ts";
import { schedule } from "flux-ts/schedules";

const HOUR = 3_600_000;

async function ids(store: StateStore): Promise<string[]> {
  return (await store.list({ limit: 1000 })).executions.map((s) => s.executionId).sort();
}

function report() {
  const runs: unknown[] = [];
  const note = task("note_run", async (input: unknown) => void runs.push(input));
  const wf = workflow("report", async (ctx: WorkflowExecutionContext<{ kind: string }>) => {
    await ctx.run(note, ctx.input);
    return ctx.input.kind;
  });
  return { runs, wf };
}

describe("schedules", () => {
  test("an interval fires at each multiple, each firing once, with its input", async () => {
    const clock = new VirtualClock({ start: 10 * HOUR + 5 });
    const store = new MemoryStore();
    const { runs, wf } = report();
    const engine = new Engine({ store, clock, schedules: [schedule(wf, { every: HOUR, input: { kind: "hourly" } })] });
    expect(engine.schedules).toEqual([{ name: "report", workflow: "report", description: `every ${HOUR} ms`, next: 11 * HOUR }]);
    await engine.wakeDue();
    await engine.wakeDue();
    expect(await ids(store)).toEqual(["report:1970-01-01T10:00:00.000Z"]);
    clock.advance(HOUR);
    await engine.wakeDue();
    expect(await ids(store)).toEqual(["report:1970-01-01T10:00:00.000Z", "report:1970-01-01T11:00:00.000Z"]);
    expect(runs).toEqual([{ kind: "hourly" }, { kind: "hourly" }]);
    expect((await engine.inspect("report:1970-01-01T11:00:00.000Z"))?.output).toBe("hourly");
  });

  test("two runners firing one schedule start each firing once", async () => {
    const clock = new VirtualClock({ start: 5 * HOUR });
    const store = new MemoryStore();
    const { runs, wf } = report();
    const every = schedule(wf, { every: HOUR, input: { kind: "x" } });
    const a = new Engine({ store, clock, schedules: [every] });
    const b = new Engine({ store, clock, schedules: [every] });
    await Promise.all([a.wakeDue(), b.wakeDue(), a.wakeDue(), b.wakeDue()]);
    expect(await ids(store)).toEqual(["report:1970-01-01T05:00:00.000Z"]);
    expect(runs).toHaveLength(1);
  });

  test("a runner down for three firings starts the latest only; catchUp none starts none of them", async () => {
    const clock = new VirtualClock({ start: 2 * HOUR });
    const store = new MemoryStore();
    const { wf } = report();
    const every = schedule(wf, { every: HOUR, input: { kind: "x" } });
    await new Engine({ store, clock, schedules: [every] }).wakeDue();
    clock.advance(3 * HOUR + 60_000);
    await new Engine({ store, clock, schedules: [every] }).wakeDue();
    expect(await ids(store)).toEqual(["report:1970-01-01T02:00:00.000Z", "report:1970-01-01T05:00:00.000Z"]);
    const quiet = new MemoryStore();
    const none = new Engine({ store: quiet, clock, schedules: [schedule(wf, { every: HOUR, input: { kind: "x" }, catchUp: "none" })] });
    await none.wakeDue();
    expect(await ids(quiet)).toEqual([]);
    clock.advance(HOUR);
    await none.wakeDue();
    expect(await ids(quiet)).toEqual(["report:1970-01-01T06:00:00.000Z"]);
  });

  test("overlap skip: a firing is skipped while the previous one runs; allow starts it anyway", async () => {
    const clock = new VirtualClock({ start: 0 });
    const slow = workflow("slow_report", async (ctx) => ctx.pause("hold"));
    for (const overlap of ["skip", "allow"] as const) {
      const store = new MemoryStore();
      const engine = new Engine({ store, clock, schedules: [schedule(slow, { every: HOUR, overlap, name: `slow_${overlap}` })] });
      await engine.wakeDue();
      clock.advance(HOUR);
      await engine.wakeDue();
      expect((await ids(store)).length, overlap).toBe(overlap === "skip" ? 1 : 2);
      clock.advance(-HOUR);
    }
  });

  test("cron is read in its time zone; bad expressions and zones are refused, naming them", () => {
    const { wf } = report();
    const paris = schedule(wf, { cron: "0 2 * * *", timezone: "Europe/Paris" });
    expect(new Date(paris.next(Date.parse("2026-12-02T00:00:00Z"))!).toISOString()).toBe("2026-12-02T01:00:00.000Z");
    expect(new Date(paris.latest(Date.parse("2026-12-02T00:00:00Z"))!).toISOString()).toBe("2026-12-01T01:00:00.000Z");
    expect(paris.description).toBe("cron 0 2 * * * (Europe/Paris)");
    expect(() => schedule(wf, { cron: "every day" })).toThrow(UsageError);
    expect(() => schedule(wf, { cron: "0 2 * * *", timezone: "Nowhere/City" })).toThrow(/Nowhere\/City/);
    expect(() => schedule(wf, { cron: "0 0 2 * * *" })).toThrow(/5 fields/);
    expect(() => schedule(wf, { every: 10 })).toThrow(/every must be a whole number of ms ≥ 1000/);
    expect(() => schedule(wf, {})).toThrow(/exactly one of cron and every/);
  });
});
