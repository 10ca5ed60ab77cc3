/**
 * What the capacity chart of a sweep draws (the panel's canvas and the HTML report's static SVG):
 * throughput and latency percentiles against the load level, one point per measured step, the
 * latency SLOs as flat lines, the capacity and the knee as vertical lines; and the per-step table
 * that goes with it (the panel's screen-reader twin of the chart, the report's visible table).
 * Nothing for a run that was not a sweep.
 */
import type { SweepSummary } from '../metrics/capacity';
import { levelText } from '../metrics/capacity-text';
import { fmtMs, fmtNum, fmtPct } from './format';
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
  /** The same at the knee of the throughput/latency curve; empty when there is none. */
  knee: Point[];
  /** The capacity's and the knee's load levels (null: none). */
  capacityLevel: number | null;
  kneeLevel: number | null;
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
  const knee = sweep.knee ? [{ x: sweep.knee.level, y: 0 }, { x: sweep.knee.level, y: top }] : [];
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
    knee,
    capacityLevel: cap ? cap.level : null,
    kneeLevel: sweep.knee ? sweep.knee.level : null,
  };
}

export interface CapacityTable {
  /** What the table shows, with the capacity and the knee in words. */
  caption: string;
  headers: string[];
  rows: Array<{ level: number; cells: string[]; capacity: boolean; knee: boolean; slo_met: boolean }>;
}

/** The per-step table of a sweep: one row per measured step, in the chart's order. Null for a run that was not a sweep. */
export function capacityTable(sweep: SweepSummary | null | undefined): CapacityTable | null {
  if (!sweep || !Array.isArray(sweep.steps) || sweep.steps.length === 0) return null;
  const lv = (x: number): string => levelText(sweep.over, x);
  const marks = [sweep.capacity ? `capacity ${lv(sweep.capacity.level)}` : 'no level met every SLO', ...(sweep.knee ? [`knee at ${lv(sweep.knee.level)}`] : [])];
  return {
    caption: `Sweep steps (${sweep.steps.length} of ${sweep.planned_steps} planned): ${marks.join(', ')}`,
    headers: [sweep.over === 'rate' ? 'offered req/s' : 'users', 'served req/s', 'output tok/s', 'TTFT p50', 'TTFT p95', 'e2e p95', 'errors', 'SLOs', 'marks'],
    rows: sweep.steps.map((s, i) => {
      const capacity = sweep.capacity?.step === i;
      const knee = sweep.knee?.step === i;
      const saturated = sweep.saturated_at?.step === i;
      const slos = s.slos.length === 0 ? 'none set' : s.slo_met ? 'met' : `broke: ${s.slos.filter((x) => !x.pass).map((x) => `${x.text} (${x.actual_text})`).join(', ')}`;
      const mark = [capacity ? 'capacity' : '', knee ? 'knee' : '', saturated ? 'saturated' : ''].filter(Boolean).join(', ');
      return {
        level: s.level,
        capacity,
        knee,
        slo_met: s.slo_met,
        cells: [fmtNum(s.level, sweep.over === 'rate' ? 2 : 0), fmtNum(s.throughput_rps, 2), fmtNum(s.output_tokens_per_s, 1), fmtMs(s.ttft_ms.p50), fmtMs(s.ttft_ms.p95), fmtMs(s.e2e_ms.p95), fmtPct(s.error_rate), slos, mark],
      };
    }),
  };
}

/** `ttft p95 < 2s` -> 2000; `e2e p50 <= 800ms` -> 800; null when the value is not a duration. */
export function sloThresholdMs(text: string): number | null {
  const m = /(<|<=)\s*(\d+(?:\.\d+)?)\s*(ms|s|m)\s*$/.exec(text);
  if (!m) return null;
  const v = Number(m[2]);
  return m[3] === 'ms' ? v : m[3] === 's' ? v * 1000 : v * 60_000;
}
