/**
 * The capacity chart of a sweep (docs/metrics.md "Sweeps"): TTFT p50/p95 and e2e p95 against the
 * load level, throughput on the right-hand axis, the latency SLOs as dashed lines and the capacity
 * as a vertical line. It sits in the Live tab's chart grid, only while the shown run has
 * `summary.sweep`.
 */
import { Chart } from 'chart.js';
import type { Summary } from '../../src/core/metrics/summary';
import { capacityChartData } from '../../src/core/viewmodel/capacity-chart';
import { baseOptions } from './charts';
import { h } from './dom';
import { themeColor } from './theme';

type Points = { x: number; y: number }[];

export class CapacityChart {
  private chart: Chart<'line', Points> | null = null;
  private readonly canvas = h('canvas', { 'data-chart': 'capacity', role: 'img' });
  private readonly box = h('div', { class: 'chart', 'data-chart-box': 'capacity' }, this.canvas);

  constructor(private readonly grid: HTMLElement) {}

  update(summary: Summary | null | undefined): void {
    const d = capacityChartData(summary?.sweep);
    this.chart?.destroy();
    this.chart = null;
    if (!d) {
      this.box.remove();
      return;
    }
    if (this.box.parentElement !== this.grid) this.grid.appendChild(this.box);
    this.canvas.setAttribute('aria-label', d.title);
    this.canvas.setAttribute('data-steps', String(d.steps));
    const options = baseOptions({ title: d.title, unit: 'latency ms', unitRight: 'requests/s served' }, d.xTitle);
    const x = (options.scales as Record<string, Record<string, unknown>>).x!;
    x.min = undefined;
    (options.elements as Record<string, Record<string, unknown>>).point!.radius = 3;
    const c = (v: string, fb: string): string => themeColor(v, fb);
    const blue = c('--vscode-charts-blue', '#3794ff');
    const purple = c('--vscode-charts-purple', '#b180d7');
    const yellow = c('--vscode-charts-yellow', '#cca700');
    const green = c('--vscode-charts-green', '#89d185');
    const red = c('--vscode-charts-red', '#f14c4c');
    const grey = c('--vscode-charts-foreground', '#808080');
    const datasets = [
      { label: 'TTFT p50', data: d.ttftP50, borderColor: blue, backgroundColor: blue, yAxisID: 'y' },
      { label: 'TTFT p95', data: d.ttftP95, borderColor: purple, backgroundColor: purple, yAxisID: 'y' },
      { label: 'e2e p95', data: d.e2eP95, borderColor: yellow, backgroundColor: yellow, yAxisID: 'y' },
      { label: 'throughput', data: d.throughput, borderColor: green, backgroundColor: green, yAxisID: 'y1' },
      ...d.slos.map((s) => ({ label: s.label, data: s.points, borderColor: grey, backgroundColor: grey, borderDash: [6, 4], pointRadius: 0, yAxisID: 'y' })),
      ...(d.capacity.length ? [{ label: 'capacity', data: d.capacity, borderColor: red, backgroundColor: red, borderDash: [2, 2], pointRadius: 0, yAxisID: 'y' }] : []),
    ];
    this.chart = new Chart<'line', Points>(this.canvas, { type: 'line', data: { datasets }, options });
  }

  redraw(): void {
    this.chart?.resize();
    this.chart?.update('none');
  }

  destroy(): void {
    this.chart?.destroy();
    this.chart = null;
  }
}
