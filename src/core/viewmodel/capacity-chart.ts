/**
 * What the capacity chart of a sweep draws (panel): throughput and latency percentiles against the
 * load level, one point per measured step, the latency SLOs as flat lines, and the capacity as a
 * vertical line. Nothing for a run that was not a sweep.
 */
import type { SweepSummary } from '../metrics/capacity';
import { levelText } from '../metrics/capacity-text';
import type { Point } from './series';

export interface CapacityChartData {
  title: string;
  /** `users` or `requests/s offered`: the x axis. */
  xTitle: string;
  steps: number;
  ttftP50: Point[];
  ttftP95: Point[];
  e2eP95: Point[];
  /** Right-hand axis: requests per second served. */
  throughput: Point[];
  /** Latency SLOs (ms) of the expect lines, flat across the levels. */
  slos: Array<{ label: string; points: Point[] }>;
  /** A vertical line at the capacity (from 0 to the highest latency drawn); empty when there is none. */
  capacity: Point[];
}

const LATENCY_SLO = /^(ttft|ttfa|e2e)\s+(p\d+(?:\.\d+)?|mean|max|min)\s*(<|<=)\s/;

export function capacityChartData(sweep: SweepSummary | null | undefined): CapacityChartData | null {
  if (!sweep || !Array.isArray(sweep.steps) || sweep.steps.length === 0) return null;
  const steps = sweep.steps;
  const pts = (f: (s: (typeof steps)[number]) => number | null): Point[] => steps.map((s) => ({ x: s.level, y: f(s) ?? NaN }));
  const ttftP50 = pts((s) => s.ttft_ms.p50);
  const ttftP95 = pts((s) => s.ttft_ms.p95);
  const e2eP95 = pts((s) => s.e2e_ms.p95);
  const throughput = pts((s) => s.throughput_rps);
  const lo = steps[0]!.level;
  const hi = steps[steps.length - 1]!.level;
  const slos: CapacityChartData['slos'] = [];
  const seen = new Set<string>();
  for (const r of steps[0]!.slos) {
    if (!LATENCY_SLO.test(r.text) || seen.has(r.text)) continue;
    seen.add(r.text);
    // The threshold in ms is what the expect line compares with; the step's value is its actual.
    const threshold = sloThresholdMs(r.text);
    if (threshold !== null) slos.push({ label: `SLO ${r.text}`, points: [{ x: lo, y: threshold }, { x: hi, y: threshold }] });
  }
  const top = Math.max(0, ...[...ttftP95, ...e2eP95].map((p) => (Number.isFinite(p.y) ? p.y : 0)), ...slos.map((s) => s.points[0]!.y));
  const cap = sweep.capacity;
  const capacity = cap ? [{ x: cap.level, y: 0 }, { x: cap.level, y: top }] : [];
  const answer = cap ? `capacity ${levelText(sweep.over, cap.level)}` : 'no level met every SLO';
  return {
    title: `Capacity sweep: ${answer}${sweep.saturated_at ? `, saturated at ${levelText(sweep.over, sweep.saturated_at.level)}` : ''}`,
    xTitle: sweep.over === 'rate' ? 'requests/s offered' : 'users',
    steps: steps.length,
    ttftP50,
    ttftP95,
    e2eP95,
    throughput,
    slos,
    capacity,
  };
}

/** `ttft p95 < 2s` -> 2000; `e2e p50 <= 800ms` -> 800; null when the value is not a duration. */
export function sloThresholdMs(text: string): number | null {
  const m = /(<|<=)\s*(\d+(?:\.\d+)?)\s*(ms|s|m)\s*$/.exec(text);
  if (!m) return null;
  const v = Number(m[2]);
  return m[3] === 'ms' ? v : m[3] === 's' ? v * 1000 : v * 60_000;
}
