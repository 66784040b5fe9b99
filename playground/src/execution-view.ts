import { decodeValue, stateAfter, type EngineNotice, type ExecutionEvent, type ExecutionState, type StateStore } from "flux-ts";
import { byId, h } from "./dom.js";
import { EventList } from "./event-list.js";
import { buildTimeline, preview } from "./timeline-model.js";
import { renderTimeline } from "./timeline-view.js";

/** What the buttons of the execution panel do (the page wires them to the runner). */
export interface ExecutionActions {
  resume(executionId: string, valueText: string): void;
  continueRun(executionId: string): void;
  replayCheck(executionId: string): void;
  exportHistory(executionId: string): void;
  showCode(executionId: string): void;
  /** Makes the editor's current code this execution's code (for an imported history). */
  adoptCode(executionId: string): void;
}

/** Facts the panel needs from the page each time it draws. */
export interface ExecutionContextInfo {
  /** Running in this tab now. */
  isActive(executionId: string): boolean;
  /** Whether the tab has the code this execution ran. */
  hasCode(executionId: string): boolean;
}

/**
 * The selected execution: its state and output, the buttons that apply to it (Resume with a
 * value when paused, Continue when interrupted, Replay, Export), its timeline and its events.
 * Live: the events the engine records are added as they come, and running bars grow each frame.
 */
export class ExecutionView {
  #id: string | undefined;
  /**
   * Every execution's events seen in this page, by id: from the engine's notices (which arrive
   * before the events are committed) and from store loads, merged by event id, so an execution
   * selected just after it started misses nothing.
   */
  readonly #logs = new Map<string, ExecutionEvent[]>();
  #selectedLane = "";
  #frame = 0;
  #note: { text: string; ok: boolean } | undefined;
  #drawn = "";
  readonly #list = new EventList();
  readonly #head = byId("execution-head");
  readonly #actions = byId("execution-actions");
  readonly #timeline = byId("timeline");

  constructor(readonly store: StateStore, readonly info: ExecutionContextInfo, readonly actions: ExecutionActions) {
    byId("event-list").replaceChildren(this.#list.element);
    new ResizeObserver(() => this.#draw()).observe(this.#timeline);
  }

  /** The execution shown, if any. */
  get executionId(): string | undefined {
    return this.#id;
  }

  /** Shows `executionId`, loading its history (and its subworkflows') from the store. */
  async show(executionId: string): Promise<void> {
    if (this.#id !== executionId) {
      this.#id = executionId;
      this.#selectedLane = "";
      this.#note = undefined;
      this.#drawn = "";
      for (const part of [this.#head, this.#actions, this.#timeline]) part.replaceChildren();
      this.#list.render(executionId, []);
    }
    const load = async (id: string): Promise<ExecutionEvent[]> =>
      (await this.store.load(id)).map((e) => ({ ...e, type: e.type as ExecutionEvent["type"], value: decodeValue(e.value) }));
    const root = await load(executionId);
    if (this.#id !== executionId) return;
    merge(this.#log(executionId), root);
    const visit = async (id: string, events: readonly ExecutionEvent[]) => {
      for (const step of new Set(events.filter((e) => e.type === "TASK_STARTED").map((e) => e.sourceId))) {
        const childId = `${id}.${step}`;
        const child = await load(childId);
        if (child.length === 0) continue;
        merge(this.#log(childId), child);
        await visit(childId, child);
      }
    };
    await visit(executionId, root);
    if (this.#id === executionId) this.#draw();
  }

  /** Takes an engine notice: an event of the shown execution or of one of its subworkflows. */
  notice(notice: EngineNotice): void {
    if (notice.kind !== "event") return;
    merge(this.#log(notice.executionId), [notice.event]);
    if (this.#id !== undefined && (notice.executionId === this.#id || notice.executionId.startsWith(`${this.#id}.`))) this.#schedule();
  }

  /** A one-line result shown under the buttons (a replay check, an error). */
  setNote(executionId: string, text: string, ok: boolean): void {
    if (executionId !== this.#id) return;
    this.#note = { text, ok };
    this.#draw();
  }

  /** Redraws (the page calls it when a run of this tab starts or ends). */
  refresh(): void {
    this.#draw();
  }

  #log(id: string): ExecutionEvent[] {
    let log = this.#logs.get(id);
    if (log === undefined) this.#logs.set(id, (log = []));
    return log;
  }

  #schedule(): void {
    if (this.#frame === 0) this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#draw();
    });
  }

  #draw(): void {
    const id = this.#id;
    // Notices may arrive before the load that precedes them: draw only what is contiguous.
    const events = dense(this.#logs.get(id ?? "") ?? []);
    if (id === undefined || events.length === 0) return;
    const state = stateAfter("created", events.map((e) => e.type));
    const active = this.info.isActive(id);
    const children = new Map([...this.#logs].filter(([child]) => child.startsWith(`${id}.`)).map(([child, log]) => [child, dense(log)]));
    const model = buildTimeline(events, children, Date.now(), id);
    // Head and buttons change with the state only: rebuilding them each frame would eat clicks.
    const key = `${id}|${state}|${active}|${this.info.hasCode(id)}|${this.#note?.text}|${state === "running" ? "" : events.length}`;
    if (key !== this.#drawn) {
      this.#drawHead(id, events, state, active);
      if (this.#drawActions(id, events, state, active)) this.#drawn = key;
    }
    renderTimeline(this.#timeline, model, { now: Date.now(), selected: this.#selectedLane, onSelect: (lane) => this.#select(lane) });
    this.#list.render(id, events);
    // Running bars grow with the clock: redraw each frame while anything is open.
    if (state === "running" && active) this.#schedule();
  }

  #select(lane: string): void {
    this.#selectedLane = this.#selectedLane === lane ? "" : lane;
    this.#list.highlight(this.#selectedLane);
    this.#draw();
  }

  #drawHead(id: string, events: readonly ExecutionEvent[], state: ExecutionState, active: boolean): void {
    const shown = state === "running" && !active ? "interrupted" : state;
    const last = events.at(-1)!;
    const output = state === "succeeded" || state === "failed" ? last.value : undefined;
    this.#head.replaceChildren(
      h("div", { class: "exec-title" },
        h("span", { class: `state state-${shown}`, id: "execution-state" }, shown),
        h("strong", {}, events[0]!.name),
        h("code", { class: "exec-id", title: "execution id" }, id)),
      h("div", { class: "exec-io" },
        h("span", {}, "input ", h("code", {}, preview(events[0]!.value, 120))),
        state === "succeeded" || state === "failed"
          ? h("span", {}, state === "failed" ? "error " : "output ", h("code", { id: "execution-output", class: state }, preview(output, 200)))
          : null),
    );
  }

  /** Draws the buttons; false when it left them (the user is typing a resume value). */
  #drawActions(id: string, events: readonly ExecutionEvent[], state: ExecutionState, active: boolean): boolean {
    const typing = document.activeElement?.id === "resume-value" && this.#actions.contains(document.activeElement);
    if (typing && state === "paused") return false;
    const buttons: (HTMLElement | null)[] = [];
    const hasCode = this.info.hasCode(id);
    if (state === "paused") {
      const pending = pendingPauses(events.at(-1));
      const input = h("input", { id: "resume-value", type: "text", placeholder: 'value for pause(), JSON or text', "aria-label": "resume value", spellcheck: false });
      const resume = () => this.actions.resume(id, input.value);
      input.addEventListener("keydown", (event) => {
        if (event.key === "Enter") resume();
      });
      buttons.push(h("label", { class: "resume-label", for: "resume-value" }, `${pending.length > 0 ? pending.map((p) => `pause("${p}")`).join(", ") : "pause"} returns`), input,
        h("button", { id: "resume-button", class: "primary", onclick: resume, disabled: !hasCode }, "▶ Resume"));
    }
    if (state === "running" && !active) {
      buttons.push(h("button", { class: "primary", onclick: () => this.actions.continueRun(id), disabled: !hasCode, title: "replay it: recorded steps return at once, the rest runs" }, "⟳ Continue by replay"));
    }
    if (state === "succeeded" || state === "failed" || (state === "paused" && !active)) {
      buttons.push(h("button", { id: "replay-button", onclick: () => this.actions.replayCheck(id), title: "replay the history against the code, in a scratch engine" }, "⟲ Replay"));
    }
    buttons.push(
      h("button", { id: "export-button", onclick: () => this.actions.exportHistory(id), title: "download the history as JSON" }, "⤓ Export"),
      hasCode ? h("button", { onclick: () => this.actions.showCode(id), title: "open the code this execution ran in the editor" }, "</> Code")
        : h("button", { id: "adopt-button", onclick: () => this.actions.adoptCode(id), title: "run this execution with the code now in the editor" }, "Use the editor's code"),
    );
    const note = this.#note !== undefined ? h("div", { class: `note ${this.#note.ok ? "ok" : "bad"}`, id: "execution-note" }, this.#note.text)
      : !hasCode ? h("div", { class: "note" }, "This tab has no code for this execution (imported?): put its workflow in the editor and press \u201cUse the editor's code\u201d to resume or replay it.") : null;
    this.#actions.replaceChildren(h("div", { class: "buttons" }, ...buttons), ...(note === null ? [] : [note]));
    return true;
  }
}

function merge(into: ExecutionEvent[], events: readonly ExecutionEvent[]): void {
  for (const event of events) into[event.id] = event;
}

function dense(events: readonly ExecutionEvent[]): ExecutionEvent[] {
  const out: ExecutionEvent[] = [];
  for (const event of events) {
    if (event === undefined) break;
    out.push(event);
  }
  return out;
}

/** What a WORKFLOW_PAUSED event names: the pause it stopped at (older records: `{ pauses: [...] }`, or a bare array). */
function pendingPauses(event: ExecutionEvent | undefined): string[] {
  if (event?.type !== "WORKFLOW_PAUSED") return [];
  if (typeof event.value === "string") return [event.value];
  const value = event.value as { pauses?: unknown } | unknown[] | null;
  const names = Array.isArray(value) ? value : Array.isArray(value?.pauses) ? value.pauses : [];
  return names.filter((name): name is string => typeof name === "string");
}
