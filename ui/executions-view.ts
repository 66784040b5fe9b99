import type { ExecutionSummary } from "flux-ts";
import { h } from "./dom.js";

/** Extra facts about an execution that only this tab knows. */
export interface ExecutionHints {
  /** Running in this tab right now; absent when a server runs them (nothing is "interrupted" then). */
  readonly active?: ReadonlySet<string>;
  readonly selected: string | undefined;
  /** Show whole ids and exact times (the dashboard), not a short id and "5 min ago". */
  readonly full?: boolean;
}

/**
 * The executions of the store as a list, newest first, each subworkflow right under its parent,
 * with its state as a colored badge. An execution left "running" that no tab runs is marked
 * "interrupted": it resumes by replay on load, or from its Continue button.
 */
export function renderExecutions(list: HTMLElement, summaries: readonly ExecutionSummary[], hints: ExecutionHints, onSelect: (id: string) => void): void {
  const ids = new Set(summaries.map((s) => s.executionId));
  const parentOf = (id: string): string | undefined => {
    for (let i = id.lastIndexOf("."); i > 0; i = id.lastIndexOf(".", i - 1)) {
      if (ids.has(id.slice(0, i))) return id.slice(0, i);
    }
    return undefined;
  };
  const children = new Map<string, ExecutionSummary[]>();
  const tops: ExecutionSummary[] = [];
  for (const summary of summaries) {
    const parent = summary.parentId !== undefined && ids.has(summary.parentId) ? summary.parentId : parentOf(summary.executionId);
    if (parent === undefined) tops.push(summary);
    else children.set(parent, [...(children.get(parent) ?? []), summary]);
  }
  const items: HTMLElement[] = [];
  const add = (summary: ExecutionSummary, depth: number) => {
    items.push(row(summary, depth, hints, onSelect));
    const kids = (children.get(summary.executionId) ?? []).sort((a, b) => a.createdAt - b.createdAt || (a.executionId < b.executionId ? -1 : 1));
    for (const kid of kids) add(kid, depth + 1);
  };
  for (const summary of tops) add(summary, 0);
  if (items.length === 0) items.push(h("li", { class: "empty" }, "No executions yet: pick an example and press Run."));
  list.replaceChildren(...items);
}

function row(summary: ExecutionSummary, depth: number, hints: ExecutionHints, onSelect: (id: string) => void): HTMLElement {
  const id = summary.executionId;
  const interrupted = summary.state === "running" && depth === 0 && hints.active !== undefined && !hints.active.has(id);
  const state = interrupted ? "interrupted" : summary.state;
  return h("li", {
    class: `execution depth-${Math.min(depth, 3)}${hints.selected === id ? " selected" : ""}`,
    "data-execution": id,
    "data-state": summary.state,
    tabindex: 0,
    role: "button",
    onclick: () => onSelect(id),
    onkeydown: (event: Event) => {
      if ((event as KeyboardEvent).key === "Enter") onSelect(id);
    },
  },
  h("span", { class: "wf-name", title: summary.workflow }, summary.workflow),
  h("span", { class: "exec-meta", title: id }, h("span", { class: `state state-${state}` }, state),
    hints.full === true ? ` ${id} · ${new Date(summary.updatedAt).toLocaleString()} · ${summary.events} events` : ` ${shortId(id)} · ${ago(summary.updatedAt)}`));
}

function shortId(id: string): string {
  const dot = id.indexOf(".");
  return dot > 0 ? `…${id.slice(dot)}` : id.slice(0, 8);
}

/** "just now", "5 s ago", "3 min ago", or the local date and time. */
export function ago(time: number, now = Date.now()): string {
  const s = Math.round((now - time) / 1000);
  if (s < 5) return "just now";
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return new Date(time).toLocaleString();
}
