/**
 * What the summary charts of the Live grid share (the accuracy chart of a graded run, the capacity
 * chart of a sweep): a canvas in a `.chart` box that joins the grid only while the shown run has
 * the data, chart.js line charts over x/y points built from `baseOptions`, theme colours, and
 * drawing again when the Live tab shows.
 */
import { Chart, type ChartDataset } from 'chart.js';
import { baseOptions } from './charts';
import { h } from './dom';
import { themeColor } from './theme';

export type Points = { x: number; y: number }[];
export type LineDataset = ChartDataset<'line', Points>;
export type LineOptions = ReturnType<typeof baseOptions>;

/** The theme's chart colours, each with the fallback the HTML report uses outside VS Code. */
export function chartColors(): Record<'blue' | 'purple' | 'yellow' | 'green' | 'red' | 'orange' | 'grey', string> {
  return {
    blue: themeColor('--vscode-charts-blue', '#3794ff'),
    purple: themeColor('--vscode-charts-purple', '#b180d7'),
    yellow: themeColor('--vscode-charts-yellow', '#cca700'),
    green: themeColor('--vscode-charts-green', '#89d185'),
    red: themeColor('--vscode-charts-red', '#f14c4c'),
    orange: themeColor('--vscode-charts-orange', '#d18616'),
    grey: themeColor('--vscode-charts-foreground', '#808080'),
  };
}

/** One line of a summary chart: its colour for both border and points, on the left axis unless told. */
export function line(label: string, data: Points, color: string, extra: Partial<LineDataset> = {}): LineDataset {
  return { label, data, borderColor: color, backgroundColor: color, yAxisID: 'y', ...extra };
}

/** A scale of the options, to set its bounds. */
export function scale(options: LineOptions, id: 'x' | 'y' | 'y1'): Record<string, unknown> {
  return (options.scales as Record<string, Record<string, unknown>>)[id]!;
}

export class SummaryChartBox {
  private chart: Chart<'line', Points> | null = null;
  readonly canvas: HTMLCanvasElement;
  readonly box: HTMLElement;

  /** `grid`: the chart grid it joins (which may replace its children: the box is put back last). */
  constructor(
    private readonly grid: HTMLElement,
    id: string,
  ) {
    this.canvas = h('canvas', { 'data-chart': id, role: 'img' });
    this.box = h('div', { class: 'chart', 'data-chart-box': id }, this.canvas);
  }

  /** No data: the chart is gone from the grid. */
  hide(): void {
    this.destroy();
    this.box.remove();
  }

  /** Draws the chart afresh, the box last in the grid, `label` for screen readers; `after` (a text twin) follows the canvas. */
  show(label: string, datasets: LineDataset[], options: LineOptions, after?: HTMLElement): Chart<'line', Points> {
    this.destroy();
    if (this.box.parentElement !== this.grid || this.grid.lastElementChild !== this.box) this.grid.appendChild(this.box);
    this.canvas.setAttribute('aria-label', label);
    while (this.box.lastChild && this.box.lastChild !== this.canvas) this.box.removeChild(this.box.lastChild);
    if (after) this.box.appendChild(after);
    this.chart = new Chart<'line', Points>(this.canvas, { type: 'line', data: { datasets }, options });
    return this.chart;
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
