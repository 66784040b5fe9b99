/** A stretch of the axis: real time [start, end) drawn from x0 to x1 pixels. */
interface Piece {
  readonly start: number;
  readonly end: number;
  readonly x0: number;
  readonly x1: number;
  readonly gap: boolean;
}

/** Width in pixels of a compressed pause on the axis, however long the pause was. */
export const GAP_WIDTH = 72;

/**
 * Maps time to pixels, linearly, except that each long pause is drawn as a fixed-width gap:
 * a pause of an hour must not squash the seconds of work around it into a hairline. Pauses
 * shorter than a gap's worth of linear time are drawn to scale.
 */
export class TimeScale {
  readonly pieces: readonly Piece[];

  constructor(start: number, end: number, pauses: readonly { start: number; end: number }[], readonly width: number) {
    const sorted = pauses.filter((p) => p.end > p.start).sort((a, b) => a.start - b.start);
    const total = Math.max(end - start, 1);
    // Compress only the pauses that would be wider than a gap at the scale of the rest.
    const scaleFor = (gaps: readonly { start: number; end: number }[]) =>
      Math.max(width - gaps.length * GAP_WIDTH, width * 0.25) / Math.max(total - gaps.reduce((sum, p) => sum + (p.end - p.start), 0), 1);
    let gaps = sorted;
    for (let round = 0; round < 4; round += 1) {
      const scale = scaleFor(gaps);
      const next = sorted.filter((p) => (p.end - p.start) * scale > GAP_WIDTH);
      if (next.length === gaps.length) break;
      gaps = next;
    }
    const scale = scaleFor(gaps);
    const pieces: Piece[] = [];
    let t = start;
    let x = 0;
    for (const gap of gaps) {
      const gapStart = Math.max(gap.start, t);
      if (gapStart > t) {
        pieces.push({ start: t, end: gapStart, x0: x, x1: x + (gapStart - t) * scale, gap: false });
        x += (gapStart - t) * scale;
      }
      pieces.push({ start: gapStart, end: gap.end, x0: x, x1: x + GAP_WIDTH, gap: true });
      x += GAP_WIDTH;
      t = gap.end;
    }
    pieces.push({ start: t, end: Math.max(end, t + 1), x0: x, x1: x + (Math.max(end, t + 1) - t) * scale, gap: false });
    this.pieces = pieces;
  }

  /** The x of time `time` (clamped to the axis). */
  x(time: number): number {
    const first = this.pieces[0]!;
    if (time <= first.start) return first.x0;
    for (const piece of this.pieces) {
      if (time < piece.end) return piece.x0 + (piece.x1 - piece.x0) * (time - piece.start) / (piece.end - piece.start);
    }
    return this.pieces.at(-1)!.x1;
  }

  /** The compressed pauses, to draw as breaks in the axis. */
  get gaps(): readonly Piece[] {
    return this.pieces.filter((p) => p.gap);
  }

  /** Tick times (ms after `origin`) about every 80 px, at round steps, skipping compressed gaps. */
  ticks(origin: number): { time: number; x: number; label: string }[] {
    const ticks: { time: number; x: number; label: string }[] = [];
    for (const piece of this.pieces) {
      if (piece.gap) continue;
      const span = piece.end - piece.start;
      const count = Math.max(1, Math.floor((piece.x1 - piece.x0) / 80));
      const step = niceStep(span / count);
      for (let t = Math.ceil((piece.start - origin) / step) * step; origin + t <= piece.end; t += step) {
        ticks.push({ time: t, x: this.x(origin + t), label: formatDuration(t) });
      }
    }
    return ticks;
  }
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

/** "850 ms", "1.2 s", "3 min 5 s", "2 h 4 min". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0).replace(/\.0$/, "")} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  if (ms < 86_400_000) return `${Math.floor(ms / 3_600_000)} h ${Math.round((ms % 3_600_000) / 60_000)} min`;
  return `${Math.floor(ms / 86_400_000)} d ${Math.round((ms % 86_400_000) / 3_600_000)} h`;
}

/** About how wide `text` is drawn at the axis's 10 px font (px; bold a little wider). */
export function labelWidth(text: string, bold = false): number {
  return text.length * (bold ? 6.6 : 6);
}

/**
 * Whether a tick label `label` centered at `x` would run into the label of one of `gaps`
 * ("paused 2 min 5 s", centered on its gap and often wider than it): then only its line is drawn.
 */
export function overlapsGapLabel(x: number, label: string, gaps: readonly { readonly x0: number; readonly x1: number; readonly label: string }[]): boolean {
  const half = labelWidth(label) / 2;
  return gaps.some((gap) => {
    const center = (gap.x0 + gap.x1) / 2;
    const gapHalf = Math.max(labelWidth(gap.label, true), gap.x1 - gap.x0) / 2;
    return Math.abs(x - center) < half + gapHalf + 4;
  });
}
