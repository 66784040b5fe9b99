import { h, svg } from "./dom.js";
import { formatDuration, overlapsGapLabel, TimeScale } from "./time-scale.js";
import type { Lane, Mark, TimelineModel } from "./timeline-model.js";

const ROW = 26;
const BAR = 16;
const AXIS = 26;
const LABELS = 200;
const PAD = 14;

/** How the timeline is drawn and what clicking a row does. */
export interface TimelineOptions {
  /** The time open bars are drawn up to (the clock while running). */
  readonly now: number;
  /** Called with a lane's id ("" for the workflow) when its row is clicked. */
  readonly onSelect?: (laneId: string) => void;
  readonly selected?: string;
}

/** More lanes than this and only the rows in view are drawn (the timeline scrolls). */
export const VIRTUAL_LANES = 300;
/** Rows drawn beyond the visible ones, above and below. */
const OVERSCAN = 30;
/** The last drawing of each container, redrawn when it scrolls. */
const drawn = new WeakMap<HTMLElement, { model: TimelineModel; options: TimelineOptions }>();

const markGlyph: Record<Mark["kind"], string> = {
  retry: "↻", fallback: "⤷", rollback: "⟲", failed: "✕", resumed: "▶", paused: "⏸", received: "✉", "timed-out": "◷", cancelled: "⊘",
};

/**
 * Draws the execution as bars on a time axis: one row per step (nested steps and subworkflows
 * indented under their parent), attempts, retry waits, fallbacks, rollbacks and event waits as
 * colored pieces, marks where retries, fallbacks and rollbacks began, events arrived, waits timed
 * out and the execution was cancelled, and pauses as gaps in the axis. With more than
 * {@link VIRTUAL_LANES} rows the container scrolls and only the rows in view are drawn (the
 * axis stays on top), so a history of 10,000 steps draws as fast as one of 100.
 */
export function renderTimeline(container: HTMLElement, model: TimelineModel, options: TimelineOptions): void {
  if (!drawn.has(container)) {
    container.addEventListener("scroll", () => {
      const last = drawn.get(container);
      if (last !== undefined && last.model.lanes.length > VIRTUAL_LANES) requestAnimationFrame(() => renderTimeline(container, last.model, last.options));
    }, { passive: true });
  }
  drawn.set(container, { model, options });
  const virtual = model.lanes.length > VIRTUAL_LANES;
  container.classList.toggle("scrolling", virtual);
  const top = virtual ? container.scrollTop : 0;
  const first = virtual ? Math.max(0, Math.floor((top - AXIS) / ROW) - OVERSCAN) : 0;
  const last = virtual ? Math.min(model.lanes.length, Math.ceil((top + Math.max(container.clientHeight, 400)) / ROW) + OVERSCAN) : model.lanes.length;
  const width = Math.max(container.clientWidth, 480);
  const plot = width - LABELS - PAD * 2;
  const scale = new TimeScale(model.start, model.end, model.pauses, plot);
  const height = AXIS + model.lanes.length * ROW + 8;
  const root = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, class: "timeline-svg", role: "img", "aria-label": "execution timeline" });
  const x = (time: number) => LABELS + PAD + scale.x(time);

  // Axis: ticks in time since the start, and breaks where long pauses are compressed. When the
  // rows scroll, it is drawn over them at the top of the view.
  const axis = svg("g", { class: "axis", transform: `translate(0 ${top})` });
  if (virtual) axis.append(svg("rect", { x: 0, y: 0, width, height: AXIS - 4, class: "axis-bg" }));
  // A tick label that would run into a gap's label ("paused 2 min 5 s") keeps only its line.
  const gapLabels = scale.gaps.map((gap) => ({ x0: gap.x0, x1: gap.x1, label: `paused ${formatDuration(gap.end - gap.start)}` }));
  for (const tick of scale.ticks(model.start)) {
    axis.append(svg("line", { x1: LABELS + PAD + tick.x, x2: LABELS + PAD + tick.x, y1: AXIS - 6, y2: height, class: "tick" }));
    if (!overlapsGapLabel(tick.x, tick.label, gapLabels)) axis.append(svg("text", { x: LABELS + PAD + tick.x, y: AXIS - 10, class: "tick-label" }, tick.label));
  }
  root.append(axis);
  for (const [index, gap] of scale.gaps.entries()) {
    const gx = LABELS + PAD + gap.x0;
    const gw = gap.x1 - gap.x0;
    root.append(svg("g", { class: "gap" },
      svg("rect", { x: gx, y: AXIS - 4, width: gw, height: height - AXIS + 4, class: "gap-band" }),
      svg("path", { d: zigzag(gx + 4, AXIS - 4, height), class: "gap-edge" }),
      svg("path", { d: zigzag(gx + gw - 4, AXIS - 4, height), class: "gap-edge" }),
      svg("text", { x: gx + gw / 2, y: AXIS - 10, class: "gap-label" }, gapLabels[index]!.label),
    ));
  }

  const lanes = svg("g", { class: "lanes" });
  for (let row = first; row < last; row += 1) lanes.append(drawLane(model.lanes[row]!, row, x, options, width));
  if (virtual) root.insertBefore(lanes, axis);
  else root.append(lanes);

  const running = model.lanes[0]?.status === "running";
  if (running) {
    const nx = x(options.now);
    root.append(svg("line", { x1: nx, x2: nx, y1: AXIS - 4, y2: height, class: "now-line" }));
  }
  container.replaceChildren(root);
  if (virtual) container.scrollTop = top;
}

function drawLane(lane: Lane, row: number, x: (time: number) => number, options: TimelineOptions, width: number): SVGGElement {
  const top = AXIS + row * ROW;
  const y = top + (ROW - BAR) / 2;
  const group = svg("g", {
    class: `lane lane-${lane.kind} status-${lane.status}${options.selected === lane.id ? " selected" : ""}`,
    "data-lane": lane.id,
    onclick: () => options.onSelect?.(lane.id),
  });
  group.append(svg("rect", { x: 0, y: top, width, height: ROW, class: "lane-bg" }));
  const indent = 8 + Math.min(lane.depth, 6) * 12;
  group.append(svg("text", { x: indent, y: top + ROW / 2 + 4, class: "lane-label" },
    svg("title", {}, lane.label), clip(lane.label, Math.floor((LABELS - indent) / 7))));
  for (const segment of lane.segments) {
    const x0 = x(segment.start);
    const x1 = Math.max(x(segment.end ?? options.now), x0 + 2);
    const live = segment.end === undefined && (segment.kind === "running" || segment.kind === "sleep" || segment.kind === "fallback" || segment.kind === "rollback");
    const kind = segment.kind === "pause" || segment.kind === "resumed-pause" ? "pause" : segment.kind;
    const barHeight = kind === "retry-wait" ? 4 : BAR;
    group.append(svg("rect", {
      x: x0, y: y + (BAR - barHeight) / 2, width: x1 - x0, height: barHeight, rx: barHeight > 4 ? 3 : 2,
      class: `seg seg-${kind}${live ? " live" : ""}`,
    }, svg("title", {}, `${lane.label}: ${segment.label}, ${formatDuration((segment.end ?? options.now) - segment.start)}`)));
  }
  for (const mark of lane.marks) {
    if (lane.kind === "workflow" && mark.kind === "paused") continue;
    group.append(svg("text", { x: x(mark.time), y: y - 1, class: `mark mark-${mark.kind}` }, markGlyph[mark.kind], svg("title", {}, mark.label)));
  }
  return group;
}

function zigzag(x: number, top: number, bottom: number): string {
  let d = `M ${x} ${top}`;
  for (let y = top, i = 0; y < bottom; y += 6, i += 1) d += ` L ${x + (i % 2 === 0 ? 3 : -3)} ${Math.min(y + 6, bottom)}`;
  return d;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, Math.max(max - 1, 1))}…` : text;
}

/** The legend shown under the timeline: what each color and mark means. */
export function timelineLegend(): HTMLElement {
  const item = (cls: string, text: string) => h("span", { class: "legend-item" }, h("i", { class: `swatch ${cls}` }), text);
  return h("div", { class: "legend" },
    item("seg-done", "completed"), item("seg-running", "running"), item("seg-failed", "failed attempt"),
    item("seg-retry-wait", "retry delay"), item("seg-fallback", "fallback"), item("seg-rollback", "rollback"),
    item("seg-pause", "paused"), item("seg-sleep", "sleep"), item("seg-event-wait", "waiting for an event"),
    item("seg-event-received", "event received"), item("seg-event-timeout", "event wait timed out"), item("seg-cancelled", "cancelled"),
    h("span", { class: "legend-item" }, "↻ retry  ⤷ fallback  ⟲ rollback  ✕ failed  ▶ resumed  ✉ event  ◷ timed out  ⊘ cancelled"),
  );
}
