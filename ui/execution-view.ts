import { stateAfter, type EngineNotice, type ExecutionEvent, type ExecutionState } from "flux-ts";
import { byId, h } from "./dom.js";
import { EventList } from "./event-list.js";
import { actionInputIds, actionRows, type ExecutionActions } from "./execution-actions.js";
import { preview } from "./preview.js";
import { buildTimeline } from "./timeline-model.js";
import { renderTimeline } from "./timeline-view.js";
import { openWaits } from "./waiting.js";

export type { ExecutionActions } from "./execution-actions.js";

/**
 * Where the view reads histories: the playground's store in this tab, the dashboard's HTTP API.
 */
export interface HistorySource {
  /** The execution's events whose id is greater than `after` (all with -1), values decoded; empty when unknown. */
  load(executionId: string, after: number): Promise<ExecutionEvent[]>;
  /**
   * True when every task step may be a subworkflow call to look for (`<id>.<step>`), as in
   * histories recorded before calls named their child; else only the calls that name one are.
   */
  readonly probesSteps?: boolean;
}

/** Histories longer than this redraw at most every {@link slowFrameMs} while running, not every frame. */
const longHistory = 2000;
const slowFrameMs = 400;

/** Facts the panel needs from the page each time it draws. */
export interface ExecutionContextInfo {
  /** Running in this tab now. */
  isActive(executionId: string): boolean;
  /** Whether the tab has the code this execution ran. */
  hasCode(executionId: string): boolean;
  /** Not a subworkflow of another execution. */
  isTopLevel(executionId: string): boolean;
  /** The state the store keeps, when the page knows it: "queued" is not in the events (they say running). */
  storedState?(executionId: string): ExecutionState | undefined;
}

/**
 * The selected execution: its state and output, the buttons that apply to it (Resume with a
 * value when paused, Send event when it waits on one, Cancel, Continue when interrupted, Replay,
 * Export), its timeline and its events.
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

  constructor(readonly source: HistorySource, readonly info: ExecutionContextInfo, readonly actions: ExecutionActions) {
    byId("event-list").replaceChildren(this.#list.element);
    new ResizeObserver(() => this.#draw()).observe(this.#timeline);
    // Buttons are not redrawn under a user typing in one of their boxes: catch up once they leave
    // them (not when the focus moves to their own button: redrawn then, it would lose the click).
    this.#actions.addEventListener("focusout", (event) => {
      if (!this.#actions.contains((event as FocusEvent).relatedTarget as Node | null)) queueMicrotask(() => this.#draw());
    });
  }

  /** The execution shown, if any. */
  get executionId(): string | undefined {
    return this.#id;
  }

  /**
   * Shows `executionId`, loading its history (and its subworkflows') from the source: only what
   * follows the events already seen, so calling it again to catch up is cheap.
   */
  async show(executionId: string): Promise<void> {
    if (this.#id !== executionId) {
      this.#id = executionId;
      this.#selectedLane = "";
      this.#note = undefined;
      this.#drawn = "";
      for (const part of [this.#head, this.#actions, this.#timeline]) part.replaceChildren();
      this.#list.render(executionId, []);
    }
    const catchUp = async (id: string): Promise<ExecutionEvent[]> => {
      const log = this.#log(id);
      merge(log, await this.source.load(id, dense(log).length - 1));
      return dense(log);
    };
    const root = await catchUp(executionId);
    if (this.#id !== executionId) return;
    const visit = async (id: string, events: readonly ExecutionEvent[]) => {
      for (const childId of childIdsOf(id, events, this.source.probesSteps === true)) {
        const child = await catchUp(childId);
        if (child.length === 0) continue;
        await visit(childId, child);
      }
    };
    await visit(executionId, root);
    if (this.#id === executionId) this.#draw();
  }

  /** How many events of `executionId` the view has, from the first without a gap (a stream continues after them). */
  loaded(executionId: string): number {
    return dense(this.#logs.get(executionId) ?? []).length;
  }

  /** Takes one event of an execution (the shown one or one of its subworkflows), as a live stream or the engine delivers it. */
  add(executionId: string, event: ExecutionEvent): void {
    merge(this.#log(executionId), [event]);
    if (this.#id !== undefined && (executionId === this.#id || executionId.startsWith(`${this.#id}.`))) this.#schedule();
  }

  /** Takes an engine notice: an event of the shown execution or of one of its subworkflows. */
  notice(notice: EngineNotice): void {
    if (notice.kind === "event") this.add(notice.executionId, notice.event);
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
    if (this.#frame !== 0) return;
    const long = (this.#logs.get(this.#id ?? "")?.length ?? 0) > longHistory;
    const frame = () => {
      this.#frame = 0;
      this.#draw();
    };
    // A long history is redrawn a few times a second, not every frame: the page stays responsive.
    this.#frame = long ? window.setTimeout(() => (this.#frame = requestAnimationFrame(frame)), slowFrameMs) : requestAnimationFrame(frame);
  }

  #draw(): void {
    const id = this.#id;
    // Notices may arrive before the load that precedes them: draw only what is contiguous.
    const events = dense(this.#logs.get(id ?? "") ?? []);
    if (id === undefined || events.length === 0) return;
    const logged = stateAfter("created", events.map((e) => e.type));
    const state = logged === "running" && this.info.storedState?.(id) === "queued" ? "queued" : logged;
    const active = this.info.isActive(id);
    const children = new Map([...this.#logs].filter(([child]) => child.startsWith(`${id}.`)).map(([child, log]) => [child, dense(log)]));
    const model = buildTimeline(events, children, Date.now(), id);
    // Head and buttons change with the state only: rebuilding them each frame would eat clicks.
    const key = `${id}|${state}|${active}|${this.info.hasCode(id)}|${this.info.isTopLevel(id)}|${this.#note?.text}|${state === "running" ? "" : events.length}`;
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
    const ended = state === "succeeded" || state === "failed" || state === "cancelled";
    const output = ended ? last.value : undefined;
    this.#head.replaceChildren(
      h("div", { class: "exec-title" },
        h("span", { class: `state state-${shown}`, id: "execution-state" }, shown),
        h("strong", {}, events[0]!.name),
        h("code", { class: "exec-id", title: "execution id" }, id)),
      h("div", { class: "exec-io" },
        h("span", {}, "input ", h("code", {}, preview(events[0]!.value, 120))),
        ended
          ? h("span", {}, state === "succeeded" ? "output " : "error ", h("code", { id: "execution-output", class: state }, preview(output, 200)))
          : null),
    );
  }

  /** Draws the buttons; false when it left them (the user is typing in a box they still have). */
  #drawActions(id: string, events: readonly ExecutionEvent[], state: ExecutionState, active: boolean): boolean {
    const hasCode = this.info.hasCode(id);
    const rows = actionRows(id, { state, active, hasCode, topLevel: this.info.isTopLevel(id), waits: openWaits(events) }, this.actions);
    const note = this.#note !== undefined ? h("div", { class: `note ${this.#note.ok ? "ok" : "bad"}`, id: "execution-note" }, this.#note.text)
      : !hasCode ? h("div", { class: "note" }, "This tab has no code for this execution (imported?): put its workflow in the editor and press \u201cUse the editor's code\u201d to resume or replay it.") : null;
    const focused = document.activeElement;
    if (focused instanceof HTMLInputElement && this.#actions.contains(focused) && actionInputIds(rows).has(focused.id)) {
      // The user is typing in a box the buttons still have: only the note changes for now.
      for (const old of this.#actions.querySelectorAll(":scope > .note")) old.remove();
      if (note !== null) this.#actions.append(note);
      return false;
    }
    this.#actions.replaceChildren(...rows, ...(note === null ? [] : [note]));
    return true;
  }
}

/** The subworkflow executions `events` (of `id`) called: the ids calls recorded, and with `probe` every task step's `<id>.<step>`. */
function childIdsOf(id: string, events: readonly ExecutionEvent[], probe: boolean): string[] {
  const ids = new Set<string>();
  for (const event of events) {
    if (event.type !== "TASK_STARTED") continue;
    const call = (event.value as { call?: unknown } | null)?.call;
    if (typeof call === "string") ids.add(call);
    else if (probe) ids.add(`${id}.${event.sourceId}`);
  }
  return [...ids];
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
