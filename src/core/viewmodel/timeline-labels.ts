/**
 * Where the timeline's marker labels go ("sent 0.0ms", "TTFT 212ms", ...) so that no two overlap,
 * whatever the zoom: each label sits beside its marker (to the right, or to the left near the right
 * edge, kept inside the plot), in the first row where it overlaps no label already placed; markers
 * at the same instant stack in rows. The marker's line runs from its label's row down to the plot
 * (a leader line), so a stacked label still points at its instant. Pure: widths come from the caller.
 */

export interface LabelInput {
  id: string;
  /** The marker's x, pixels. */
  x: number;
  /** The label's rendered width, pixels. */
  width: number;
}

export interface PlacedLabel {
  id: string;
  x: number;
  /** The label's left edge and width, pixels. */
  left: number;
  width: number;
  /** 0 = the top row. */
  row: number;
  /** Text anchor: the label starts at the marker (start) or ends at it (end). */
  anchor: 'start' | 'end';
}

export interface LabelLayout {
  labels: PlacedLabel[];
  /** Rows used (at least 1). */
  rows: number;
}

export interface LabelOptions {
  /** The plot's left and right edges, pixels: labels stay inside. */
  minX: number;
  maxX: number;
  /** Space between the marker line and its label, and between two labels in a row, pixels. */
  gap?: number;
}

/** Two half-open intervals [a, a+aw) and [b, b+bw) overlap, counting `gap` of clearance. */
function overlaps(a: number, aw: number, b: number, bw: number, gap: number): boolean {
  return a < b + bw + gap && b < a + aw + gap;
}

export function layoutMarkerLabels(items: readonly LabelInput[], opts: LabelOptions): LabelLayout {
  const gap = opts.gap ?? 4;
  // Left to right; markers at the same instant keep their given order (sent before first packet ...).
  const order = items.map((it, i) => ({ it, i })).sort((a, b) => a.it.x - b.it.x || a.i - b.i);
  const rows: { left: number; width: number }[][] = [];
  const placed: PlacedLabel[] = new Array(items.length);
  for (const { it, i } of order) {
    const width = Math.max(0, it.width);
    let anchor: 'start' | 'end' = 'start';
    let left = it.x + 2;
    if (left + width > opts.maxX) {
      anchor = 'end';
      left = it.x - 2 - width;
    }
    // Inside the plot when it can be (a label wider than the plot starts at its left edge).
    left = Math.max(opts.minX, Math.min(left, opts.maxX - width));
    let row = rows.findIndex((r) => !r.some((o) => overlaps(left, width, o.left, o.width, gap)));
    if (row < 0) {
      row = rows.length;
      rows.push([]);
    }
    rows[row]!.push({ left, width });
    placed[i] = { id: it.id, x: it.x, left, width, row, anchor };
  }
  return { labels: placed, rows: Math.max(1, rows.length) };
}
