/**
 * The live charts: chart.js with `parsing: false`, min-max decimation, no animation, and
 * `update('none')`. Colours come from the theme's variables and follow theme changes.
 */
import { Chart, Decimation, Legend, LinearScale, LineController, LineElement, PointElement, Title, Tooltip, type ChartDataset } from 'chart.js';
import type { SeriesRow } from '../../src/core/metrics/aggregate';
import { linePoints, liveCharts, type ChartSpec, type LineSpec } from '../../src/core/viewmodel/series';
import { h } from './dom';
import { themeColor } from './theme';

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip, Decimation, Title);

type LineDataset = ChartDataset<'line', { x: number; y: number }[]>;

export function baseOptions(spec: { title: string; unit: string; unitRight?: string }, xTitle = 'seconds'): NonNullable<ConstructorParameters<typeof Chart<'line', { x: number; y: number }[]>>[1]['options']> {
  const fg = themeColor('--vscode-foreground', '#cccccc');
  const grid = themeColor('--vscode-editorWidget-border', '#80808040');
  const font = themeColor('--vscode-font-family', 'sans-serif');
  const scales: Record<string, object> = {
    // From 0 and at least 5 s wide: a sane axis before the first full second (not 0.94–1.06 s).
    x: { type: 'linear', min: 0, suggestedMax: 5, title: { display: true, text: xTitle, color: fg }, ticks: { color: fg, precision: 0 }, grid: { color: grid } },
    y: { type: 'linear', beginAtZero: true, title: { display: true, text: spec.unit, color: fg }, ticks: { color: fg }, grid: { color: grid } },
  };
  if (spec.unitRight) scales.y1 = { type: 'linear', position: 'right', beginAtZero: true, title: { display: true, text: spec.unitRight, color: fg }, ticks: { color: fg }, grid: { drawOnChartArea: false } };
  return {
    parsing: false,
    normalized: true,
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    indexAxis: 'x',
    spanGaps: false,
    interaction: { mode: 'nearest', axis: 'x', intersect: false },
    font: { family: font },
    elements: { point: { radius: 0, hitRadius: 6 }, line: { borderWidth: 1.5 } },
    plugins: {
      decimation: { enabled: true, algorithm: 'min-max' },
      legend: { labels: { color: fg, boxWidth: 12 } },
      title: { display: true, text: spec.title, color: fg },
      tooltip: { enabled: true },
    },
    scales,
  } as never;
}

function dataset(line: LineSpec, rows: readonly SeriesRow[], suffix = '', dashOverride?: boolean): LineDataset {
  const color = themeColor(line.color, '#3794ff');
  return {
    label: line.label + suffix,
    data: linePoints(rows, line.value),
    borderColor: color,
    backgroundColor: color,
    borderDash: (dashOverride ?? line.dash) ? [5, 3] : [],
    yAxisID: line.axis ?? 'y',
  };
}

export class ChartGrid {
  private charts = new Map<string, Chart<'line', { x: number; y: number }[]>>();
  private specs: ChartSpec[] = [];
  private rows: readonly SeriesRow[] = [];
  private other: readonly SeriesRow[] | null = null;

  /** `compare`: overlay mode, run B's lines solid and run A's dashed. */
  constructor(
    readonly root: HTMLElement,
    private readonly pick?: (specs: ChartSpec[]) => ChartSpec[],
    /** A click on a chart: the second under the pointer. */
    private readonly onSecond?: (second: number) => void,
  ) {}

  update(rows: readonly SeriesRow[], other: readonly SeriesRow[] | null = null): void {
    this.rows = rows;
    this.other = other;
    let specs = liveCharts(other ? [...rows, ...other] : rows);
    if (this.pick) specs = this.pick(specs);
    const layoutChanged = specs.map((s) => s.id + s.lines.map((l) => l.label).join()).join('|') !== this.specs.map((s) => s.id + s.lines.map((l) => l.label).join()).join('|');
    this.specs = specs;
    if (layoutChanged) this.rebuild();
    for (const spec of specs) {
      const chart = this.charts.get(spec.id);
      if (!chart) continue;
      const fresh = this.datasets(spec);
      // Replace data in place: chart.js keeps its state; update('none') skips animation.
      chart.data.datasets.forEach((d, i) => {
        d.data = fresh[i]!.data;
      });
      chart.update('none');
    }
  }

  private datasets(spec: ChartSpec): LineDataset[] {
    if (!this.other) return spec.lines.map((l) => dataset(l, this.rows));
    return spec.lines.flatMap((l) => [dataset(l, this.other!, ' (A)', true), dataset(l, this.rows, ' (B)', false)]);
  }

  /** Draws every chart again at its box's current size (after its tab is shown: no blank charts). */
  redraw(): void {
    for (const c of this.charts.values()) {
      c.resize();
      c.update('none');
    }
  }

  /** Recolours after a theme change. */
  restyle(): void {
    this.specs = [];
    this.update(this.rows, this.other);
  }

  private rebuild(): void {
    for (const c of this.charts.values()) c.destroy();
    this.charts.clear();
    this.root.replaceChildren();
    for (const spec of this.specs) {
      const canvas = h('canvas', { 'data-chart': spec.id, 'aria-label': spec.title, role: 'img' });
      this.root.appendChild(h('div', { class: 'chart' }, canvas));
      const options = baseOptions(spec);
      if (this.onSecond) {
        const cb = this.onSecond;
        options.onClick = (evt, _els, chart) => {
          const x = evt.x === null || evt.x === undefined ? NaN : chart.scales.x!.getValueForPixel(evt.x);
          if (x !== undefined && Number.isFinite(x)) cb(Math.max(0, Math.round(x)));
        };
      }
      const chart = new Chart<'line', { x: number; y: number }[]>(canvas, { type: 'line', data: { datasets: this.datasets(spec) }, options });
      this.charts.set(spec.id, chart);
    }
  }

  destroy(): void {
    for (const c of this.charts.values()) c.destroy();
    this.charts.clear();
  }
}
