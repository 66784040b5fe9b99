import type { ExecutionEvent } from "flux-ts";
import { h } from "./dom.js";
import { formatDuration } from "./time-scale.js";
import { preview } from "./preview.js";

/** Rows per block: a block's rows are made only once it scrolls into view. */
const BLOCK = 200;
/** The height of a row before it is drawn (px), for the placeholder of a block not drawn yet. */
const ROW_HEIGHT = 23;

interface Block {
  readonly body: HTMLTableSectionElement;
  /** Index of its first event. */
  readonly from: number;
  /** How many of its events are drawn (0 while it is a placeholder). */
  drawn: number;
  filled: boolean;
}

/**
 * The events of one execution as a table beside the timeline, appended to as they are recorded
 * (rows already shown are kept, so the reader's scroll position and selection stay put). A
 * value cut short, and every error, opens below its row in full when clicked (an error with its
 * stack and causes). Long histories stay responsive: rows are made in blocks of 200 only when
 * their block scrolls into view (a block not seen is one placeholder row of its height).
 */
export class EventList {
  readonly element: HTMLTableElement;
  #blocks: Block[] = [];
  #events: readonly ExecutionEvent[] = [];
  #executionId: string | undefined;
  #origin = 0;
  #highlight = "";
  readonly #observer: IntersectionObserver | undefined;

  constructor() {
    this.element = h("table", { class: "events" },
      h("thead", {}, h("tr", {}, h("th", {}, "#"), h("th", {}, "time"), h("th", {}, "type"), h("th", {}, "step"), h("th", {}, "name"), h("th", {}, "value"))));
    this.#observer = typeof IntersectionObserver === "function"
      ? new IntersectionObserver((entries) => {
        for (const entry of entries) {
          if (!entry.isIntersecting) continue;
          const block = this.#blocks.find((b) => b.body === entry.target);
          if (block !== undefined) this.#fill(block);
        }
      }, { rootMargin: "400px 0px" })
      : undefined;
  }

  /** Shows `events` of `executionId` (a no-op for rows already shown). */
  render(executionId: string, events: readonly ExecutionEvent[]): void {
    if (executionId !== this.#executionId || events.length < this.#events.length) {
      this.#executionId = executionId;
      for (const block of this.#blocks) {
        this.#observer?.unobserve(block.body);
        block.body.remove();
      }
      this.#blocks = [];
    }
    this.#events = events;
    const first = events[0];
    if (first === undefined) return;
    this.#origin = first.time;
    // Grow the last block, then add blocks for the rest.
    const last = this.#blocks.at(-1);
    if (last !== undefined) this.#grow(last);
    for (let from = this.#blocks.length * BLOCK; from < events.length; from += BLOCK) {
      const block: Block = { body: h("tbody"), from, drawn: 0, filled: false };
      this.#blocks.push(block);
      this.element.append(block.body);
      this.#placeholder(block);
      this.#observer?.observe(block.body);
    }
    // The first block, and the newest (where a live run adds rows), are drawn at once.
    const head = this.#blocks[0];
    if (head !== undefined) this.#fill(head);
    const tail = this.#blocks.at(-1);
    if (tail !== undefined && this.#blocks.length <= 2) this.#fill(tail);
    else if (this.#observer === undefined) for (const block of this.#blocks) this.#fill(block);
  }

  /** Highlights the rows of one step (its lane id), or none with "", and scrolls to its first. */
  highlight(sourceId: string): void {
    this.#highlight = sourceId;
    for (const block of this.#blocks) {
      for (const row of block.body.rows) row.classList.toggle("highlight", sourceId !== "" && row.dataset.source === sourceId);
    }
    if (sourceId === "") return;
    const index = this.#events.findIndex((event) => !event.type.startsWith("WORKFLOW_") && event.sourceId === sourceId);
    const block = index < 0 ? undefined : this.#blocks[Math.floor(index / BLOCK)];
    if (block === undefined) return;
    this.#fill(block);
    block.body.querySelector("tr.highlight")?.scrollIntoView({ block: "nearest" });
  }

  #placeholder(block: Block): void {
    const count = Math.min(BLOCK, this.#events.length - block.from);
    block.body.replaceChildren(h("tr", { class: "placeholder" }, h("td", { colspan: 6, style: `height: ${count * ROW_HEIGHT}px` })));
  }

  #fill(block: Block): void {
    if (block.filled) return;
    block.filled = true;
    this.#observer?.unobserve(block.body);
    block.body.replaceChildren();
    this.#grow(block);
  }

  /** Draws the block's events not drawn yet (a live run appends to the last block). */
  #grow(block: Block): void {
    if (!block.filled) {
      this.#placeholder(block);
      return;
    }
    const end = Math.min(block.from + BLOCK, this.#events.length);
    for (let i = block.from + block.drawn; i < end; i += 1) {
      const event = this.#events[i];
      if (event === undefined) break; // a gap: the rest arrives with the next load
      block.body.append(this.#row(event));
      block.drawn += 1;
    }
  }

  #row(event: ExecutionEvent): HTMLTableRowElement {
    const step = event.type.startsWith("WORKFLOW_") ? "" : event.sourceId;
    const short = preview(event.value, 80);
    const full = fullText(event.value);
    const expandable = full !== short || hasError(event.value);
    const value = h("td", { class: `value${expandable ? " expandable" : ""}`, title: expandable ? "click to show it all" : undefined }, short);
    const row = h("tr", { "data-source": step, "data-event": event.id, class: step !== "" && step === this.#highlight ? "highlight" : undefined },
      h("td", { class: "num" }, event.id),
      h("td", { class: "num" }, `+${formatDuration(event.time - this.#origin)}`),
      h("td", {}, h("span", { class: `badge ${badgeClass(event.type)}` }, event.type)),
      h("td", {}, step),
      h("td", {}, event.name),
      value,
    );
    if (expandable) {
      value.addEventListener("click", () => {
        const next = row.nextElementSibling;
        if (next instanceof HTMLTableRowElement && next.classList.contains("detail")) {
          next.remove();
          row.classList.remove("open");
          return;
        }
        row.classList.add("open");
        row.after(h("tr", { class: "detail" }, h("td", { colspan: 6 }, h("pre", { class: "full-value" }, full))));
      });
    }
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

function hasError(value: unknown, depth = 0): boolean {
  if (value instanceof Error) return true;
  if (value === null || typeof value !== "object" || depth > 4) return false;
  return Object.values(value).some((item) => hasError(item, depth + 1));
}

/** The whole value: JSON, with each error as its stack (or name and message), its own fields and its causes. */
export function fullText(value: unknown): string {
  if (value instanceof Error) return errorText(value);
  try {
    const text = JSON.stringify(value, (_key, item: unknown) => (item instanceof Error ? errorText(item) : item), 2) ?? String(value);
    return text.replaceAll("\\n", "\n");
  } catch {
    return String(value);
  }
}

function errorText(error: Error, depth = 0): string {
  const head = error.stack !== undefined && error.stack.includes(error.message) ? error.stack : `${error.name}: ${error.message}${error.stack === undefined ? "" : `\n${error.stack}`}`;
  const own = Object.entries(error).filter(([key]) => key !== "cause" && key !== "stack" && key !== "message" && key !== "name");
  const fields = own.length === 0 ? "" : `\n${own.map(([key, item]) => `  ${key}: ${preview(item, 200)}`).join("\n")}`;
  const cause = error.cause instanceof Error && depth < 8 ? `\nCaused by: ${errorText(error.cause, depth + 1)}` : error.cause !== undefined ? `\nCaused by: ${preview(error.cause, 200)}` : "";
  return `${head}${fields}${cause}`;
}
