/**
 * The accuracy chart of a graded run (docs/accuracy.md): accuracy per time slice or load step with
 * its 95% interval, and the users of each step. It sits in the Live tab's chart grid, after the
 * grid's own charts, and only while the shown run has `summary.accuracy`.
 */
import type { Summary } from '../../src/core/metrics/summary';
import { accuracyChartData } from '../../src/core/viewmodel/accuracy-series';
import { baseOptions } from './charts';
import { chartColors, line, scale, SummaryChartBox } from './chart-setup';

export class AccuracyChart {
  private readonly view: SummaryChartBox;

  /** `grid`: the chart grid it joins (which may replace its children: the box is put back). */
  constructor(grid: HTMLElement) {
    this.view = new SummaryChartBox(grid, 'accuracy');
  }

  update(summary: Summary | null | undefined): void {
    const d = accuracyChartData(summary?.accuracy);
    if (!d) return this.view.hide();
    this.view.canvas.setAttribute('data-slices', String(d.slices));
    const options = baseOptions({ title: d.title, unit: 'accuracy %', ...(d.users ? { unitRight: 'users' } : {}) });
    scale(options, 'y').max = 100;
    const c = chartColors();
    const datasets = [
      line('accuracy', d.accuracy, c.blue),
      line('95% CI low', d.ciLow, c.grey, { borderDash: [4, 3] }),
      line('95% CI high', d.ciHigh, c.grey, { borderDash: [4, 3] }),
      ...(d.users ? [line('users', d.users, c.orange, { borderDash: [1, 2], yAxisID: 'y1' })] : []),
    ];
    this.view.show(d.title, datasets, options);
  }

  /** Draws again at the box's size (after its tab is shown). */
  redraw(): void {
    this.view.redraw();
  }

  destroy(): void {
    this.view.destroy();
  }
}
