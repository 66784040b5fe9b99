import { expect, test } from "vitest";
import { Engine, VirtualClock, type StateStore } from "flux-ts";
import { approvalByEvent } from "../examples/approval_by_event.js";
import { nightly, nightlyReport } from "../examples/nightly_report.js";
import { cancellableOrder, ledger } from "../examples/cancellable_order.js";

/** The examples of events and schedules, on stores made by `createStore` (called inside a describe). */
export function testEventExamples(createStore: () => Promise<StateStore> | StateStore): void {
  test("approval by event: approved by the event, or expired by the timeout", async () => {
    const clock = new VirtualClock({ start: Date.parse("2026-12-02T10:00:00Z") });
    const store = await createStore();
    // The sender is another runner (an HTTP server, the CLI): it records the event, runs nothing.
    const runner = new Engine({ store, clock, workflows: [approvalByEvent] });
    const sender = new Engine({ store, clock });
    const asked = await approvalByEvent.run({ amount: 120 }, { engine: runner });
    expect(asked.paused).toBe(true);
    await sender.sendEvent(asked.executionId, "approval", { approved: true, by: "ana" });
    expect(await runner.wakeDue()).toBe(1);
    expect((await runner.inspect(asked.executionId))?.output).toBe("approved by ana");
    const ignored = await approvalByEvent.run({ amount: 5, timeoutMs: 3_600_000 }, { engine: runner });
    clock.advance(3_600_000);
    expect(await runner.wakeDue()).toBe(1);
    const expired = await runner.inspect(ignored.executionId);
    expect(expired?.output).toBe("expired");
    expect(expired?.events.map((e) => e.type)).toContain("EVENT_WAIT_TIMED_OUT");
  });

  test("nightly report: the schedule fires once per night, whatever the runners", async () => {
    const clock = new VirtualClock({ start: Date.parse("2026-12-02T00:30:00Z") });
    const store = await createStore();
    const a = new Engine({ store, clock, schedules: [nightly] });
    const b = new Engine({ store, clock, schedules: [nightly] });
    // The store may hold other cases' executions (one D1 database for the file): count this workflow's.
    const nights = async () => (await store.list({ workflow: nightlyReport.name, limit: 1000 })).executions.map((s) => s.executionId);
    await Promise.all([a.wakeDue(), b.wakeDue()]);
    expect(await nights()).toEqual([]); // the night before passed before they started
    clock.advance(30 * 60_000);
    await Promise.all([a.wakeDue(), b.wakeDue()]);
    const first = "nightly:2026-12-02T01:00:00.000Z";
    expect(await nights()).toEqual([first]);
    expect((await a.inspect(first))?.output).toBe("daily report built");
    expect((await a.inspect(first))?.name).toBe(nightlyReport.name);
    clock.advance(24 * 3_600_000);
    await Promise.all([b.wakeDue(), a.wakeDue()]);
    expect(await nights()).toHaveLength(2);
  });

  test("cancellable order: the customer's cancel event undoes it in reverse; engine.cancel stops it with no compensation", async () => {
    const store = await createStore();
    const runner = new Engine({ store, workflows: [cancellableOrder] });
    const sender = new Engine({ store });
    ledger.length = 0;
    const order = await cancellableOrder.run({ items: ["book", "pen"], amount: 30 }, { engine: runner });
    expect(order.events.at(-1)?.value).toBe("event:shipped");
    await sender.sendEvent(order.executionId, "cancel_order", { reason: "changed my mind" });
    expect(await runner.wakeDue()).toBe(1);
    expect((await runner.inspect(order.executionId))?.output).toBe("cancelled by the customer (changed my mind): refunded and released");
    expect(ledger).toEqual(["reserved book,pen", "charged 30", "refunded payment-30", "released reservation-2"]);
    ledger.length = 0;
    const stopped = await cancellableOrder.run({ items: ["lamp"], amount: 12 }, { engine: runner });
    expect(await sender.cancel(stopped.executionId, "fraud")).toMatchObject({ state: "cancelled", cancelled: true });
    expect((await runner.inspect(stopped.executionId))?.cancelled).toBe(true);
    expect(ledger).toEqual(["reserved lamp", "charged 12"]);
  });
}
