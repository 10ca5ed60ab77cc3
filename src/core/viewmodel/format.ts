/** Number formatting shared by the panel, the HTML report and the compare table. */

export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  if (Math.abs(ms) >= 10_000) return `${(ms / 1000).toFixed(1)}s`;
  if (Math.abs(ms) >= 1000) return `${(ms / 1000).toFixed(2)}s`;
  if (Math.abs(ms) >= 100) return `${ms.toFixed(0)}ms`;
  return `${ms.toFixed(1)}ms`;
}

export function fmtNum(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  if (Math.abs(x) >= 1000) return x.toFixed(0);
  return x.toFixed(digits);
}

export function fmtPct(fraction: number | null | undefined, digits = 1): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '-';
  return `${(fraction * 100).toFixed(digits)}%`;
}

export function fmtSignedPct(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '-';
  const s = (fraction * 100).toFixed(1);
  return fraction > 0 ? `+${s}%` : `${s}%`;
}

/** A value in the unit of its metric: ms for timings, tokens/s, per minute, or a fraction. */
export function fmtUnit(x: number | null | undefined, unit: string): string {
  if (unit === 'ms') return fmtMs(x);
  if (unit === 'fraction') return fmtPct(x, 2);
  return fmtNum(x);
}

export function fmtSignedUnit(x: number | null | undefined, unit: string): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  const s = fmtUnit(Math.abs(x), unit);
  return x > 0 ? `+${s}` : x < 0 ? `-${s}` : s;
}
