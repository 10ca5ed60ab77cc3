/**
 * The HTML report's capacity section for a sweep (docs/reports.md): the capacity chart as a static
 * SVG (throughput and TTFT/e2e percentiles against the load, the latency SLOs as dashed lines, the
 * capacity and the knee as vertical markers) and the per-step table. Plain markup with every text
 * escaped and no script or style attribute, so the report's strict CSP holds and the chart shows
 * with scripts off, in print and in a copy of the SVG alone. Colours are presentation attributes
 * the report's stylesheet overrides with the theme's chart colours (styles.css `.capacity-svg`).
 * The same figures as the panel's chart: src/core/viewmodel/capacity-chart.ts.
 */
import type { Summary } from '../metrics/summary';
import { capacityChartData, capacityTable, type CapacityChartData } from '../viewmodel/capacity-chart';
import { escapeHtml } from '../viewmodel/escape';
import type { Point } from '../viewmodel/series';

const W = 760;
const H = 340;
const PAD = { left: 64, right: 64, top: 44, bottom: 48 };

/** The lines drawn, with the class the stylesheet colours and the colour used without it. */
const SERIES = [
  { key: 'ttft-p50', label: 'TTFT p50', of: (d: CapacityChartData) => d.ttftP50, axis: 'left', color: '#3794ff' },
  { key: 'ttft-p95', label: 'TTFT p95', of: (d: CapacityChartData) => d.ttftP95, axis: 'left', color: '#b180d7' },
  { key: 'e2e-p95', label: 'e2e p95', of: (d: CapacityChartData) => d.e2eP95, axis: 'left', color: '#cca700' },
  { key: 'throughput', label: 'throughput (req/s, right axis)', of: (d: CapacityChartData) => d.throughput, axis: 'right', color: '#89d185' },
] as const;

/** The smallest round number at or above `v` (at least `floor`) whose quarters are round too: the axis has 4 ticks. */
export function niceCeil(v: number, floor = 1): number {
  if (!Number.isFinite(v) || v <= floor) return floor;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8, 10]) if (m * p >= v * (1 - 1e-12)) return +(m * p).toPrecision(12);
  return 10 * p;
}

const fx = (n: number): string => String(Math.round(n * 10) / 10);

function tickText(v: number): string {
  if (v >= 10_000) return `${+(v / 1000).toFixed(1)}k`;
  return String(+v.toFixed(2));
}

export interface CapacitySvgScales {
  x(level: number): number;
  yLeft(ms: number): number;
  yRight(rps: number): number;
  leftMax: number;
  rightMax: number;
}

/** Where a level and a value land in the SVG's coordinates. */
export function capacityScales(d: CapacityChartData): CapacitySvgScales {
  const levels = d.throughput.map((p) => p.x);
  let lo = Math.min(...levels);
  let hi = Math.max(...levels);
  if (hi === lo) {
    lo = Math.max(0, lo - 1);
    hi = hi + 1;
  }
  const finite = (ps: Point[]): number[] => ps.map((p) => p.y).filter((y) => Number.isFinite(y));
  const leftMax = niceCeil(Math.max(0, ...finite(d.ttftP50), ...finite(d.ttftP95), ...finite(d.e2eP95), ...d.slos.map((s) => s.points[0]!.y)) * 1.05, 10);
  const rightMax = niceCeil(Math.max(0, ...finite(d.throughput)) * 1.05, 1);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  return {
    x: (level) => PAD.left + ((level - lo) / (hi - lo)) * plotW,
    yLeft: (ms) => PAD.top + plotH - (Math.min(ms, leftMax) / leftMax) * plotH,
    yRight: (rps) => PAD.top + plotH - (Math.min(rps, rightMax) / rightMax) * plotH,
    leftMax,
    rightMax,
  };
}

/** A path through the finite points; a missing value breaks the line. */
function pathOf(ps: Point[], x: (v: number) => number, y: (v: number) => number): string {
  let d = '';
  let pen = false;
  for (const p of ps) {
    if (!Number.isFinite(p.y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${fx(x(p.x))} ${fx(y(p.y))} `;
    pen = true;
  }
  return d.trim();
}

/** The capacity chart as one static SVG element. */
export function capacitySvg(d: CapacityChartData): string {
  const s = capacityScales(d);
  const bottom = H - PAD.bottom;
  const right = W - PAD.right;
  const out: string[] = [];
  const e = escapeHtml;
  out.push(`<svg class="capacity-svg" data-chart="capacity" data-steps="${d.steps}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-labelledby="capacity-svg-title" font-family="sans-serif" font-size="11">`);
  out.push(`<title id="capacity-svg-title">${e(d.title)}</title>`);
  out.push(`<text class="cap-title" x="${W / 2}" y="16" text-anchor="middle" font-size="13" fill="currentColor">${e(d.title)}</text>`);
  // Axes and ticks: latency on the left, throughput on the right, the levels below.
  out.push(`<g class="cap-axes" stroke="#808080" stroke-width="1">`);
  out.push(`<line x1="${PAD.left}" y1="${bottom}" x2="${right}" y2="${bottom}"/><line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${bottom}"/><line x1="${right}" y1="${PAD.top}" x2="${right}" y2="${bottom}"/>`);
  out.push(`</g>`);
  out.push(`<g class="cap-ticks" fill="currentColor">`);
  for (let i = 0; i <= 4; i++) {
    const ms = (s.leftMax * i) / 4;
    const rps = (s.rightMax * i) / 4;
    out.push(`<text x="${PAD.left - 6}" y="${fx(s.yLeft(ms) + 4)}" text-anchor="end">${e(tickText(ms))}</text>`);
    out.push(`<text x="${right + 6}" y="${fx(s.yRight(rps) + 4)}">${e(tickText(rps))}</text>`);
  }
  const every = Math.max(1, Math.ceil(d.steps / 12));
  d.throughput.forEach((p, i) => {
    if (i % every === 0 || i === d.steps - 1) out.push(`<text x="${fx(s.x(p.x))}" y="${bottom + 16}" text-anchor="middle">${e(tickText(p.x))}</text>`);
  });
  out.push(`<text x="${W / 2}" y="${H - 8}" text-anchor="middle">${e(d.xTitle)}</text>`);
  out.push(`<text x="14" y="${PAD.top + (bottom - PAD.top) / 2}" text-anchor="middle" transform="rotate(-90 14 ${PAD.top + (bottom - PAD.top) / 2})">latency ms</text>`);
  out.push(`<text x="${W - 12}" y="${PAD.top + (bottom - PAD.top) / 2}" text-anchor="middle" transform="rotate(90 ${W - 12} ${PAD.top + (bottom - PAD.top) / 2})">requests/s served</text>`);
  out.push(`</g>`);
  // The latency SLOs: flat dashed lines at their thresholds.
  for (const slo of d.slos) {
    const y = fx(s.yLeft(slo.points[0]!.y));
    const text = slo.label.replace(/^SLO /, '');
    out.push(`<g class="cap-slo" data-slo="${e(text)}" data-threshold-ms="${slo.points[0]!.y}"><line x1="${PAD.left}" y1="${y}" x2="${right}" y2="${y}" stroke="#808080" stroke-dasharray="6 4" stroke-width="1.5"/><text x="${PAD.left + 4}" y="${fx(Number(y) - 4)}" fill="currentColor">${e(slo.label)}</text></g>`);
  }
  // The capacity and the knee: vertical markers at their levels.
  const marker = (cls: string, level: number | null, label: string, color: string, dy: number): void => {
    if (level === null) return;
    const x = fx(s.x(level));
    // The label on the side with room: left of a marker in the plot's right half.
    const left = s.x(level) > (PAD.left + right) / 2;
    out.push(`<g class="${cls}" data-level="${level}"><line x1="${x}" y1="${PAD.top}" x2="${x}" y2="${bottom}" stroke="${color}" stroke-dasharray="2 2" stroke-width="2"/><text x="${fx(s.x(level) + (left ? -4 : 4))}" y="${PAD.top + dy}"${left ? ' text-anchor="end"' : ''} fill="currentColor">${e(label)}</text></g>`);
  };
  marker('cap-capacity', d.capacityLevel, `capacity ${tickText(d.capacityLevel ?? 0)}`, '#f14c4c', 10);
  marker('cap-knee', d.kneeLevel, `knee ${tickText(d.kneeLevel ?? 0)}`, '#d18616', d.kneeLevel === d.capacityLevel ? 24 : 10);
  // The measured lines, one point per step, each point with its value as a tooltip.
  for (const line of SERIES) {
    const ps = line.of(d);
    const y = line.axis === 'left' ? s.yLeft : s.yRight;
    const unit = line.axis === 'left' ? ' ms' : ' req/s';
    out.push(`<g class="cap-series cap-${line.key}" data-series="${line.key}">`);
    out.push(`<path d="${pathOf(ps, s.x, y)}" fill="none" stroke="${line.color}" stroke-width="1.5"/>`);
    for (const p of ps) {
      if (!Number.isFinite(p.y)) continue;
      out.push(`<circle cx="${fx(s.x(p.x))}" cy="${fx(y(p.y))}" r="3" fill="${line.color}" data-level="${p.x}" data-value="${+p.y.toFixed(3)}"><title>${e(`${line.label.replace(/ \(.*/, '')} at ${tickText(p.x)}: ${+p.y.toFixed(1)}${unit}`)}</title></circle>`);
    }
    out.push(`</g>`);
  }
  // Legend along the top.
  const legend = [...SERIES.map((l) => ({ cls: `cap-${l.key}`, label: l.label, color: l.color, dash: '' })), ...(d.slos.length ? [{ cls: 'cap-slo', label: 'SLO', color: '#808080', dash: '6 4' }] : []), ...(d.capacityLevel !== null ? [{ cls: 'cap-capacity', label: 'capacity', color: '#f14c4c', dash: '2 2' }] : []), ...(d.kneeLevel !== null ? [{ cls: 'cap-knee', label: 'knee', color: '#d18616', dash: '2 2' }] : [])];
  out.push(`<g class="cap-legend">`);
  let lx = PAD.left;
  for (const item of legend) {
    out.push(`<g class="${item.cls}"><line x1="${lx}" y1="30" x2="${lx + 16}" y2="30" stroke="${item.color}" stroke-width="2"${item.dash ? ` stroke-dasharray="${item.dash}"` : ''}/><text x="${lx + 20}" y="34" fill="currentColor">${e(item.label)}</text></g>`);
    lx += 30 + item.label.length * 5.6;
  }
  out.push(`</g>`);
  out.push(`</svg>`);
  return out.join('\n');
}

/** The report's capacity section: heading, the SVG, the per-step table. Empty for a run that was not a sweep. */
export function capacitySection(summary: Summary | null | undefined): string {
  const d = capacityChartData(summary?.sweep);
  const t = capacityTable(summary?.sweep);
  if (!d || !t) return '';
  const e = escapeHtml;
  const head = `<tr>${t.headers.map((h) => `<th scope="col">${e(h)}</th>`).join('')}</tr>`;
  const rows = t.rows
    .map((r) => `<tr data-level="${r.level}"${r.capacity ? ' data-capacity=""' : ''}${r.knee ? ' data-knee=""' : ''} data-slo-met="${r.slo_met}">${r.cells.map((c, i) => (i === 0 ? `<th scope="row">${e(c)}</th>` : `<td>${e(c)}</td>`)).join('')}</tr>`)
    .join('\n');
  return `<section class="report-capacity" data-section="capacity">
<h2>Capacity</h2>
<figure class="capacity-figure">
${capacitySvg(d)}
</figure>
<table class="plain capacity-steps" data-steps-table="capacity">
<caption>${e(t.caption)}</caption>
<thead>${head}</thead>
<tbody>
${rows}
</tbody>
</table>
</section>
`;
}
