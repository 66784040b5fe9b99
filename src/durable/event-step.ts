import { ExecutionEventType as T } from "../events.js";
import type { Execution } from "../execution.js";
import type { StepRecord } from "../replay-index.js";
import type { InboxEvent } from "../state-store.js";
import { decodeValue } from "../serialization.js";
import type { StepScope } from "../step-scope.js";
import { durableCall, recordedOutcome } from "./durable-call.js";

/**
 * A wait for the next event named `name` sent to the execution (`engine.sendEvent`): resolves
 * with its payload, or with `undefined` once `timeout` ms passed first. The wait's start is
 * recorded (so a replay waits only what is left of the timeout); an event that arrived before
 * the wait began, or while the execution ran, is waiting in the execution's inbox and is taken at
 * once; otherwise the run suspends on the event (and the timeout, as a timer) until one arrives.
 * The event taken is consumed atomically with `EVENT_RECEIVED`, so each is answered once, to one
 * wait, in the order events were sent; a replay returns the recorded payload.
 */
export function waitForEventStep(exec: Execution, scope: StepScope, name: string, timeout: number | undefined): Promise<unknown> {
  return durableCall(exec, scope, "event", name, (e, _scope, stepId, record) => waitFor(e, stepId, record, name, timeout), recordedOutcome);
}

async function waitFor(exec: Execution, stepId: string, record: StepRecord | undefined, name: string, timeout: number | undefined): Promise<unknown> {
  const startedAt = record?.startedAt ?? exec.emit(T.EVENT_WAIT_STARTED, stepId, name, { timeout: timeout ?? null }).time;
  // The recorded timeout counts (a code change does not move a deadline already set).
  const limit = record === undefined ? timeout : typeof record.detail === "number" ? record.detail : undefined;
  const until = limit === undefined ? undefined : startedAt + limit;
  const event = await takeEvent(exec, name);
  if (event !== undefined) {
    const received = exec.emit(T.EVENT_RECEIVED, stepId, name, { seq: event.seq, payload: decodeValue(event.payload) }, "engine");
    exec.consume(event.seq);
    await exec.flush();
    // As recorded (a secret of the run redacted), as a replay returns it.
    return (received.value as { payload: unknown }).payload;
  }
  if (until !== undefined && until <= exec.runtime.clock.now()) {
    exec.emit(T.EVENT_WAIT_TIMED_OUT, stepId, name, null);
    await exec.flush();
    return undefined;
  }
  return exec.inFlight.block({ kind: "event", stepId, name, ...(until === undefined ? {} : { until }) });
}

/**
 * The first pending inbox event named `name` that no other wait of this run took: taken now
 * (marked for the run), consumed by the commit that records it. `undefined` when there is none.
 */
async function takeEvent(exec: Execution, name: string): Promise<InboxEvent | undefined> {
  const pending = await exec.runtime.store.pending(exec.id);
  const found = pending.find((event) => event.name === name && !exec.takenEvents.has(event.seq));
  if (found !== undefined) exec.takenEvents.add(found.seq);
  return found;
}
