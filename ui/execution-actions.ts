import type { ExecutionState } from "flux-ts";
import { h } from "./dom.js";
import type { OpenWait } from "./waiting.js";

/**
 * What the buttons of the execution panel do (the page wires them to its runner or its server).
 * A button whose action a page lacks is not shown.
 */
export interface ExecutionActions {
  resume(executionId: string, valueText: string): void;
  /** Sends the event `name` with the payload typed (JSON or text). */
  sendEvent(executionId: string, name: string, payloadText: string): void;
  /** Cancels the execution; `reason` is "" when none was typed. */
  cancel(executionId: string, reason: string): void;
  continueRun?(executionId: string): void;
  replayCheck?(executionId: string): void;
  exportHistory?(executionId: string): void;
  showCode?(executionId: string): void;
  /** Makes the editor's current code this execution's code (for an imported history). */
  adoptCode?(executionId: string): void;
}

/** What decides the buttons of one execution. */
export interface ActionFacts {
  readonly state: ExecutionState;
  /** Running in this tab now. */
  readonly active: boolean;
  readonly hasCode: boolean;
  /** Not a subworkflow: events and cancellations go to top-level executions. */
  readonly topLevel: boolean;
  /** Its waits nothing answered yet (from its log). */
  readonly waits: readonly OpenWait[];
}

/**
 * The rows of controls for an execution: Resume with a value when it waits on a pause point (or
 * on a subworkflow, which may), Send event with a name and payload when it waits on an event,
 * Cancel with a reason while it has not ended, Continue when interrupted, then Replay, Export
 * and Code.
 */
export function actionRows(id: string, facts: ActionFacts, actions: ExecutionActions): HTMLElement[] {
  const { state, active, hasCode, topLevel, waits } = facts;
  const rows: HTMLElement[] = [];
  const row = (...children: (HTMLElement | null)[]) => rows.push(h("div", { class: "buttons" }, ...children));
  const onEnter = (input: HTMLInputElement, action: () => void) => input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") action();
  });
  const pauses = waits.filter((wait) => wait.kind === "pause");
  const events = waits.filter((wait) => wait.kind === "event");
  if (state === "paused" && (pauses.length > 0 || waits.some((wait) => wait.kind === "call") || events.length === 0)) {
    const input = h("input", { id: "resume-value", type: "text", placeholder: "value for pause(), JSON or text", "aria-label": "resume value", spellcheck: false });
    const resume = () => actions.resume(id, input.value);
    onEnter(input, resume);
    row(h("label", { class: "resume-label", for: "resume-value" }, `${pauses.length > 0 ? pauses.map((p) => `pause("${p.name}")`).join(", ") : "pause"} returns`), input,
      h("button", { id: "resume-button", class: "primary", onclick: resume, disabled: !hasCode }, "▶ Resume"));
  }
  if (state === "paused" && events.length > 0 && topLevel) {
    const first = events[0]!;
    const name = h("input", { id: "event-name", type: "text", value: first.name, list: "event-names", "aria-label": "event name", spellcheck: false });
    const payload = h("input", { id: "event-payload", type: "text", placeholder: "payload, JSON or text", "aria-label": "event payload", spellcheck: false });
    const send = () => actions.sendEvent(id, name.value.trim(), payload.value);
    onEnter(name, send);
    onEnter(payload, send);
    const deadline = first.until === undefined ? "no timeout" : `times out at ${new Date(first.until).toLocaleTimeString()}`;
    row(h("label", { class: "event-label", for: "event-name" }, "event"), name,
      h("datalist", { id: "event-names" }, ...[...new Set(events.map((e) => e.name))].map((n) => h("option", { value: n }))),
      payload,
      h("button", { id: "send-event-button", class: "primary event", onclick: send, disabled: !hasCode, title: "engine.sendEvent(id, name, payload): the waitForEvent returns the payload" }, "✉ Send event"),
      h("span", { class: "event-deadline muted" }, `waitForEvent("${first.name}"): ${deadline}`));
  }
  if ((state === "running" || state === "paused" || state === "queued") && topLevel) {
    const reason = h("input", { id: "cancel-reason", type: "text", placeholder: "reason (optional)", "aria-label": "cancel reason", spellcheck: false });
    const cancel = () => actions.cancel(id, reason.value.trim());
    onEnter(reason, cancel);
    row(reason, h("button", { id: "cancel-button", class: "danger", onclick: cancel, title: "engine.cancel(id, reason): it stops where it is, its subworkflows too; no rollback runs" }, "⊘ Cancel"));
  }
  const more: (HTMLElement | null)[] = [];
  const { continueRun, replayCheck, exportHistory, showCode, adoptCode } = actions;
  if (state === "running" && !active && continueRun !== undefined) {
    more.push(h("button", { class: "primary", onclick: () => continueRun(id), disabled: !hasCode, title: "replay it: recorded steps return at once, the rest runs" }, "⟳ Continue by replay"));
  }
  if ((state === "succeeded" || state === "failed" || state === "cancelled" || (state === "paused" && !active)) && replayCheck !== undefined) {
    more.push(h("button", { id: "replay-button", onclick: () => replayCheck(id), title: "replay the history against the code, running nothing: compatible, or the first step that differs" }, "⟲ Replay"));
  }
  if (exportHistory !== undefined) more.push(h("button", { id: "export-button", onclick: () => exportHistory(id), title: "download the history as JSON" }, "⤓ Export"));
  if (hasCode && showCode !== undefined) more.push(h("button", { onclick: () => showCode(id), title: "open the code this execution ran in the editor" }, "</> Code"));
  if (!hasCode && adoptCode !== undefined) more.push(h("button", { id: "adopt-button", onclick: () => adoptCode(id), title: "run this execution with the code now in the editor" }, "Use the editor's code"));
  if (more.length > 0) row(...more);
  return rows;
}

/** The ids of the text boxes of {@link actionRows}, to keep them while the user types in one. */
export function actionInputIds(rows: readonly HTMLElement[]): Set<string> {
  return new Set(rows.flatMap((row) => [...row.querySelectorAll("input")].map((input) => input.id)));
}
