/**
 * The accuracy chart of a graded run (docs/accuracy.md): accuracy per time slice or load step with
 * its 95% interval, and the users of each step. It sits in the Live tab's chart grid, after the
 * grid's own charts, and only while the shown run has `summary.accuracy`.
 */
import { Chart } from 'chart.js';
import type { Summary } from '../../src/core/metrics/summary';
import { accuracyChartData, type AccuracyChartData } from '../../src/core/viewmodel/accuracy-series';
import { baseOptions } from './charts';
import { h } from './dom';
import { themeColor } from './theme';

type Points = { x: number; y: number }[];

export class AccuracyChart {
  private chart: Chart<'line', Points> | null = null;
  private readonly canvas = h('canvas', { 'data-chart': 'accuracy', role: 'img' });
  private readonly box = h('div', { class: 'chart', 'data-chart-box': 'accuracy' }, this.canvas);
  private data: AccuracyChartData | null = null;

  /** `grid`: the chart grid it joins (which may replace its children: the box is put back). */
  constructor(private readonly grid: HTMLElement) {}

  update(summary: Summary | null | undefined): void {
    this.data = accuracyChartData(summary?.accuracy);
    this.chart?.destroy();
    this.chart = null;
    if (!this.data) {
      this.box.remove();
      return;
    }
    if (this.box.parentElement !== this.grid || this.grid.lastElementChild !== this.box) this.grid.appendChild(this.box);
    const d = this.data;
    this.canvas.setAttribute('aria-label', d.title);
    this.canvas.setAttribute('data-slices', String(d.slices));
    const options = baseOptions({ title: d.title, unit: 'accuracy %', ...(d.users ? { unitRight: 'users' } : {}) });
    const y = (options.scales as Record<string, Record<string, unknown>>).y!;
    y.max = 100;
    const blue = themeColor('--vscode-charts-blue', '#3794ff');
    const grey = themeColor('--vscode-charts-foreground', '#808080');
    const orange = themeColor('--vscode-charts-orange', '#d18616');
    const datasets = [
      { label: 'accuracy', data: d.accuracy, borderColor: blue, backgroundColor: blue, yAxisID: 'y' },
      { label: '95% CI low', data: d.ciLow, borderColor: grey, backgroundColor: grey, borderDash: [4, 3], yAxisID: 'y' },
      { label: '95% CI high', data: d.ciHigh, borderColor: grey, backgroundColor: grey, borderDash: [4, 3], yAxisID: 'y' },
      ...(d.users ? [{ label: 'users', data: d.users, borderColor: orange, backgroundColor: orange, borderDash: [1, 2], yAxisID: 'y1' }] : []),
    ];
    this.chart = new Chart<'line', Points>(this.canvas, { type: 'line', data: { datasets }, options });
  }

  /** Draws again at the box's size (after its tab is shown). */
  redraw(): void {
    this.chart?.resize();
    this.chart?.update('none');
  }

  destroy(): void {
    this.chart?.destroy();
    this.chart = null;
  }
}
