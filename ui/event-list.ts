import type { ExecutionEvent } from "flux-ts";
import { h } from "./dom.js";
import { formatDuration } from "./time-scale.js";
import { preview } from "./preview.js";

/**
 * The events of one execution as a table beside the timeline, appended to as they are recorded
 * (rows already shown are kept, so the reader's scroll position and selection stay put).
 */
export class EventList {
  readonly element: HTMLTableElement;
  readonly #body: HTMLTableSectionElement;
  #executionId: string | undefined;
  #shown = 0;
  #origin = 0;
  #highlight = "";

  constructor() {
    this.#body = h("tbody");
    this.element = h("table", { class: "events" },
      h("thead", {}, h("tr", {}, h("th", {}, "#"), h("th", {}, "time"), h("th", {}, "type"), h("th", {}, "step"), h("th", {}, "name"), h("th", {}, "value"))),
      this.#body);
  }

  /** Shows `events` of `executionId` (a no-op for rows already shown). */
  render(executionId: string, events: readonly ExecutionEvent[]): void {
    if (executionId !== this.#executionId || events.length < this.#shown) {
      this.#executionId = executionId;
      this.#shown = 0;
      this.#body.replaceChildren();
    }
    for (; this.#shown < events.length; this.#shown += 1) {
      const event = events[this.#shown];
      if (event === undefined) break; // a gap: the rest arrives with the next load
      if (this.#shown === 0) this.#origin = event.time;
      this.#body.append(this.#row(event));
    }
  }

  /** Highlights the rows of one step (its lane id), or none with "". */
  highlight(sourceId: string): void {
    this.#highlight = sourceId;
    for (const row of this.#body.rows) row.classList.toggle("highlight", sourceId !== "" && row.dataset.source === sourceId);
    const first = [...this.#body.rows].find((row) => row.classList.contains("highlight"));
    first?.scrollIntoView({ block: "nearest" });
  }

  #row(event: ExecutionEvent): HTMLTableRowElement {
    const step = event.type.startsWith("WORKFLOW_") ? "" : event.sourceId;
    const full = fullText(event.value);
    const row = h("tr", { "data-source": step, class: step !== "" && step === this.#highlight ? "highlight" : undefined },
      h("td", { class: "num" }, event.id),
      h("td", { class: "num" }, `+${formatDuration(event.time - this.#origin)}`),
      h("td", {}, h("span", { class: `badge ${badgeClass(event.type)}` }, event.type)),
      h("td", {}, step),
      h("td", {}, event.name),
      h("td", { class: "value", title: full }, preview(event.value, 80)),
    );
    return row;
  }
}

function badgeClass(type: string): string {
  if (type === "EVENT_WAIT_TIMED_OUT") return "b-timeout";
  if (type.startsWith("EVENT_")) return "b-event";
  if (type.endsWith("_CANCELLED")) return "b-cancelled";
  if (type.endsWith("_FAILED")) return "b-failed";
  if (type.includes("RETRY")) return "b-retry";
  if (type.includes("FALLBACK")) return "b-fallback";
  if (type.includes("ROLLBACK")) return "b-rollback";
  if (type.endsWith("_PAUSED")) return "b-paused";
  if (type.endsWith("_RESUMED")) return "b-resumed";
  if (type.endsWith("_COMPLETED")) return "b-completed";
  return "b-started";
}

function fullText(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value, (_key, item: unknown) => (item instanceof Error ? `${item.name}: ${item.message}` : item), 2) ?? String(value);
  } catch {
    return String(value);
  }
}
