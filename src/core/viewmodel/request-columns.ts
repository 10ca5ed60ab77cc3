/**
 * Which columns of the Requests table fit the panel's width, and how wide each is. The columns a
 * person needs to find a slow or failed request stay (#, status, TTFT, e2e); the rest join as room
 * allows, in order of use. `#` is always as wide as the largest request number, so "12" never reads "1".
 */

export interface ColumnSpec<K extends string = string> {
  key: K;
  label: string;
  /** Lower = more important; 0 = always shown. */
  priority: number;
  /** Narrowest readable width, pixels. */
  min: number;
}

export interface ColumnPlan<K extends string = string> {
  columns: ColumnSpec<K>[];
  /** Width of each shown column, pixels (for vscode-table's `columns`). */
  widths: number[];
  /** Columns left out for lack of room (named under the table). */
  hidden: ColumnSpec<K>[];
}

/** Width of the `#` column for ids up to `maxId`: digits at ~8 px each, plus the cell's padding and a sort arrow. */
export function idColumnWidth(maxId: number): number {
  const digits = String(Math.max(1, Math.floor(maxId))).length;
  return digits * 8 + 30;
}

export function fitColumns<K extends string>(all: readonly ColumnSpec<K>[], width: number, maxId: number): ColumnPlan<K> {
  const minOf = (c: ColumnSpec<K>): number => (c.key === ('id' as K) ? idColumnWidth(maxId) : c.min);
  const byPriority = [...all].sort((a, b) => a.priority - b.priority);
  const chosen = new Set<ColumnSpec<K>>();
  let used = 0;
  for (const c of byPriority) {
    const w = minOf(c);
    if (c.priority === 0 || used + w <= width) {
      chosen.add(c);
      used += w;
    }
  }
  const columns = all.filter((c) => chosen.has(c));
  // Spare room goes to the text column (prompt) when shown, else spread evenly.
  const spare = Math.max(0, width - used);
  const grow = columns.find((c) => c.key === ('prompt' as K));
  const widths = columns.map((c) => minOf(c) + (grow ? (c === grow ? spare : 0) : c.key === ('id' as K) ? 0 : spare / Math.max(1, columns.length - 1)));
  return { columns, widths: widths.map((w) => Math.floor(w)), hidden: all.filter((c) => !chosen.has(c)) };
}
