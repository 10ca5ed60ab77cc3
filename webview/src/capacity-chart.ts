/**
 * The capacity chart of a sweep (docs/metrics.md "Sweeps"): TTFT p50/p95 and e2e p95 against the
 * load level, throughput on the right-hand axis, the latency SLOs as dashed lines, the capacity and
 * the knee as vertical lines. It sits in the Live tab's chart grid, only while the shown run has
 * `summary.sweep`. Under the canvas, a table of the steps for screen readers (the chart's text
 * twin, the same rows the HTML report shows); the canvas carries what was drawn in data attributes.
 */
import type { Summary } from '../../src/core/metrics/summary';
import { capacityChartData, capacityTable, type CapacityTable } from '../../src/core/viewmodel/capacity-chart';
import { baseOptions } from './charts';
import { chartColors, line, scale, SummaryChartBox } from './chart-setup';
import { h } from './dom';

export class CapacityChart {
  private readonly view: SummaryChartBox;

  constructor(grid: HTMLElement) {
    this.view = new SummaryChartBox(grid, 'capacity');
  }

  update(summary: Summary | null | undefined): void {
    const d = capacityChartData(summary?.sweep);
    const table = capacityTable(summary?.sweep);
    if (!d || !table) return this.view.hide();
    const options = baseOptions({ title: d.title, unit: 'latency ms', unitRight: 'requests/s served' }, d.xTitle);
    // The axis spans the measured levels (not the live charts' 0..5 s default).
    Object.assign(scale(options, 'x'), { min: undefined, suggestedMax: undefined });
    (options.elements as Record<string, Record<string, unknown>>).point!.radius = 3;
    const c = chartColors();
    const marker = { borderDash: [2, 2], pointRadius: 0 };
    const datasets = [
      line('TTFT p50', d.ttftP50, c.blue),
      line('TTFT p95', d.ttftP95, c.purple),
      line('e2e p95', d.e2eP95, c.yellow),
      line('throughput', d.throughput, c.green, { yAxisID: 'y1' }),
      ...d.slos.map((s) => line(s.label, s.points, c.grey, { borderDash: [6, 4], pointRadius: 0 })),
      ...(d.capacity.length ? [line('capacity', d.capacity, c.red, marker)] : []),
      ...(d.knee.length ? [line('knee', d.knee, c.orange, marker)] : []),
    ];
    const chart = this.view.show(d.title, datasets, options, twin(table));
    // What chart.js was given, for tests and tools reading the page: points per line, the SLO lines, the markers.
    const a = this.view.canvas;
    a.setAttribute('data-steps', String(d.steps));
    a.setAttribute('data-points', String(chart.data.datasets.find((x) => x.label === 'throughput')?.data.length ?? 0));
    a.setAttribute('data-slo-lines', String(chart.data.datasets.filter((x) => x.label?.startsWith('SLO ')).length));
    a.setAttribute('data-capacity', d.capacityLevel === null ? '' : String(d.capacityLevel));
    a.setAttribute('data-knee', d.kneeLevel === null ? '' : String(d.kneeLevel));
    a.setAttribute('data-lines', chart.data.datasets.map((x) => x.label ?? '').join('|'));
  }

  redraw(): void {
    this.view.redraw();
  }

  destroy(): void {
    this.view.destroy();
  }
}

/** The chart as a table, visually hidden: a screen reader reads the steps the canvas only draws. */
function twin(t: CapacityTable): HTMLElement {
  return h(
    'table',
    { class: 'sr-only', 'data-chart-table': 'capacity' },
    h('caption', null, t.caption),
    h('thead', null, h('tr', null, ...t.headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', null, ...t.rows.map((r) => h('tr', { 'data-level': r.level, 'data-capacity': r.capacity, 'data-knee': r.knee, 'data-slo-met': String(r.slo_met) }, ...r.cells.map((x, i) => (i === 0 ? h('th', { scope: 'row' }, x) : h('td', null, x)))))),
  );
}
