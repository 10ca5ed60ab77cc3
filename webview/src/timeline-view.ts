/**
 * One request's packet timeline, drawn as SVG: a lane per packet kind, thinking and answer phases
 * as bands, markers at sent / first packet / TTFT / TTFA / done, stalls highlighted. Wheel or the
 * buttons zoom, dragging pans, hovering shows a packet's time, bytes, kind and text (as text).
 * Beneath it: headers, the assembled thinking and answer text, and the error.
 */
import type { RequestDetail } from '../../src/core/messages';
import { fmtMs, fmtNum } from '../../src/core/viewmodel/format';
import { timelineLayout, zoomWindow, type TimelineLayout } from '../../src/core/viewmodel/timeline';
import { layoutMarkerLabels } from '../../src/core/viewmodel/timeline-labels';
import { append, h, replace, s } from './dom';
import { themeColor, watchResize, withAlpha } from './theme';

const KIND_COLOR: Record<string, string> = {
  thinking: '--vscode-charts-purple',
  answer: '--vscode-charts-green',
  tool_call: '--vscode-charts-yellow',
  stats: '--vscode-charts-blue',
  heartbeat: '--vscode-descriptionForeground',
  error: '--vscode-charts-red',
  done: '--vscode-charts-orange',
  other: '--vscode-descriptionForeground',
};
const MARKER_COLOR: Record<string, string> = {
  sent: '--vscode-foreground',
  first_packet: '--vscode-charts-blue',
  ttft: '--vscode-charts-purple',
  ttfa: '--vscode-charts-green',
  done: '--vscode-charts-orange',
};

const LANE_H = 18;
/** Height of one row of marker labels; the labels' rows sit above the lanes. */
const LABEL_ROW_H = 12;
const LEFT = 78;
const RIGHT = 12;
const AXIS_H = 22;

export class TimelineView {
  private layout: TimelineLayout | null = null;
  private detail: RequestDetail | null = null;
  private view = { from_ms: 0, to_ms: 1 };
  private readonly chartBox = h('div', { class: 'timeline-chart' });
  private readonly tip = h('div', { class: 'timeline-tip', hidden: true });
  private readonly info = h('div', { class: 'timeline-info' });

  constructor(readonly root: HTMLElement) {
    // Fits its width: drawn again when the panel is resized.
    let last = 0;
    watchResize(this.chartBox, () => {
      const w = this.chartBox.clientWidth;
      if (w > 0 && Math.abs(w - last) > 4) {
        last = w;
        this.draw();
      }
    });
  }

  show(detail: RequestDetail): void {
    this.detail = detail;
    this.layout = timelineLayout(detail.packets, detail.record);
    this.view = { from_ms: 0, to_ms: Math.max(this.layout.end_ms * 1.02, 1) };
    const zoomIn = h('vscode-button', { secondary: true, 'data-action': 'zoom-in' }, 'Zoom in');
    const zoomOut = h('vscode-button', { secondary: true, 'data-action': 'zoom-out' }, 'Zoom out');
    const reset = h('vscode-button', { secondary: true, 'data-action': 'zoom-reset' }, 'Reset');
    zoomIn.addEventListener('click', () => this.zoom(0.5));
    zoomOut.addEventListener('click', () => this.zoom(2));
    reset.addEventListener('click', () => {
      this.view = { from_ms: 0, to_ms: Math.max(this.layout!.end_ms * 1.02, 1) };
      this.draw();
    });
    const rec = detail.record;
    const title = h(
      'div',
      { class: 'timeline-title' },
      h('strong', null, `Request #${detail.id}`),
      rec ? ` · ${rec.prompt} · ${rec.status}${rec.http_status !== null ? ` (HTTP ${rec.http_status})` : ''} · TTFT ${fmtMs(rec.ttft_ms)} · TTFA ${fmtMs(rec.ttfa_ms)} · e2e ${fmtMs(rec.e2e_ms)} · ${rec.output_tokens} output tokens · token rate ${fmtNum(rec.token_rate)}/s` : '',
      rec?.server ? ` · server: prompt ${fmtMs(rec.server.prompt_ms ?? null)} · queue ${fmtMs(rec.server.queue_ms ?? null)}${rec.server.cached_tokens !== undefined ? ` · ${rec.server.cached_tokens} cached tokens` : ''}` : '',
    );
    const toolbar = h('div', { class: 'toolbar' }, zoomIn, zoomOut, reset, h('span', { class: 'muted' }, detail.traced ? `${detail.packets.length} packets · stall threshold ${fmtMs(this.layout.stall_threshold_ms)}` : 'not traced: no packets were kept for this request'));
    replace(this.root, title, toolbar, this.chartBox, this.tip, this.info);
    this.bindPointer();
    this.draw();
    this.renderInfo();
  }

  private zoom(factor: number, center?: number): void {
    if (!this.layout) return;
    const c = center ?? (this.view.from_ms + this.view.to_ms) / 2;
    this.view = zoomWindow(this.view, c, factor, Math.max(this.layout.end_ms * 1.02, 1));
    this.draw();
  }

  /** The timeline fits its box (no horizontal overflow in a narrow panel). */
  private width(): number {
    return Math.max(200, this.chartBox.clientWidth || this.root.clientWidth || 800);
  }

  /** The plot's top: below the marker labels' rows (computed in draw()). */
  private top = 34;

  private textWidth(text: string, px: number): number {
    const ctx = (TimelineView.measurer ??= document.createElement('canvas').getContext('2d'));
    if (!ctx) return text.length * px * 0.62;
    ctx.font = `${px}px ${themeColor('--vscode-font-family', 'sans-serif')}`;
    return ctx.measureText(text).width;
  }

  private static measurer: CanvasRenderingContext2D | null | undefined;

  private x(t: number, w: number): number {
    return LEFT + ((t - this.view.from_ms) / (this.view.to_ms - this.view.from_ms)) * (w - LEFT - RIGHT);
  }

  draw(): void {
    const L = this.layout;
    if (!L) return;
    const w = this.width();
    const lanes = Math.max(1, L.lanes.length);
    // Marker labels first: their rows decide where the lanes start (layoutMarkerLabels never overlaps two).
    const markerLabels = L.markers.map((m) => `${m.label} ${fmtMs(m.t_ms)}`);
    const placed = layoutMarkerLabels(
      L.markers.map((m, i) => ({ id: m.id, x: this.x(m.t_ms, w), width: this.textWidth(markerLabels[i]!, 10) })),
      { minX: LEFT, maxX: w - RIGHT, gap: 6 },
    );
    const TOP = (this.top = placed.rows * LABEL_ROW_H + 10);
    const hgt = TOP + lanes * LANE_H + AXIS_H;
    const fg = themeColor('--vscode-foreground', '#cccccc');
    const muted = themeColor('--vscode-descriptionForeground', '#999999');
    const svg = s('svg', { width: w, height: hgt, viewBox: `0 0 ${w} ${hgt}`, class: 'timeline-svg', role: 'img', 'aria-label': 'packet timeline' });
    const clipId = 'tl-clip';
    svg.appendChild(s('defs', null, s('clipPath', { id: clipId }, s('rect', { x: LEFT, y: 0, width: w - LEFT - RIGHT, height: hgt }))));
    const plot = s('g', { 'clip-path': `url(#${clipId})` });
    // Phase bands behind everything.
    for (const b of L.bands) {
      const color = themeColor(b.phase === 'thinking' ? '--vscode-charts-purple' : '--vscode-charts-green', b.phase === 'thinking' ? '#b180d7' : '#89d185');
      const x1 = this.x(b.from_ms, w);
      const x2 = Math.max(x1 + 1, this.x(b.to_ms, w));
      plot.appendChild(s('rect', { x: x1, y: TOP - 4, width: x2 - x1, height: lanes * LANE_H + 4, fill: withAlpha(color, 0.16), class: `band band-${b.phase}`, 'data-phase': b.phase }));
      plot.appendChild(s('text', { x: x1 + 3, y: TOP + lanes * LANE_H - 3, fill: color, 'font-size': 10 }, b.phase));
    }
    // The server's side of the wait before TTFT: queue (and overhead), then its own prefill.
    if (L.server) {
      const spans: [string, { from_ms: number; to_ms: number }, string, string][] = [
        ['server queue', L.server.queue, '--vscode-charts-red', '#f14c4c'],
        [`server prefill${L.server.cached_tokens !== undefined ? ` (${L.server.cached_tokens} cached)` : ''}`, L.server.prefill, '--vscode-charts-blue', '#3794ff'],
      ];
      for (const [label, sp, v, fb] of spans) {
        if (sp.to_ms <= sp.from_ms) continue;
        const color = themeColor(v, fb);
        const x1 = this.x(sp.from_ms, w);
        const x2 = Math.max(x1 + 1, this.x(sp.to_ms, w));
        plot.appendChild(s('rect', { x: x1, y: TOP - 10, width: x2 - x1, height: 5, fill: withAlpha(color, 0.6), class: 'server-span', 'data-span': label.split(' ')[1] }));
        plot.appendChild(s('text', { x: x1 + 2, y: TOP - 12, fill: color, 'font-size': 9 }, `${label} ${fmtMs(sp.to_ms - sp.from_ms)}`));
      }
    }
    for (const st of L.stalls) {
      const red = themeColor('--vscode-charts-red', '#f14c4c');
      const x1 = this.x(st.from_ms, w);
      const x2 = this.x(st.to_ms, w);
      plot.appendChild(s('rect', { x: x1, y: TOP - 4, width: Math.max(1, x2 - x1), height: lanes * LANE_H + 4, fill: withAlpha(red, 0.22), stroke: red, 'stroke-dasharray': '3 2', class: 'stall' }));
      plot.appendChild(s('text', { x: x1 + 2, y: TOP + 8, fill: red, 'font-size': 10 }, `stall ${fmtMs(st.gap_ms)}`));
    }
    // Lane labels and separators.
    L.lanes.forEach((lane, i) => {
      svg.appendChild(s('text', { x: 4, y: TOP + i * LANE_H + LANE_H * 0.7, fill: muted, 'font-size': 11 }, lane));
      svg.appendChild(s('line', { x1: LEFT, x2: w - RIGHT, y1: TOP + (i + 1) * LANE_H, y2: TOP + (i + 1) * LANE_H, stroke: withAlpha(muted.startsWith('#') ? muted : '#808080', 0.25) }));
    });
    // Packets.
    const colors = new Map(L.lanes.map((k) => [k, themeColor(KIND_COLOR[k] ?? '--vscode-descriptionForeground', '#888888')]));
    for (const p of L.points) {
      if (p.t_ms < this.view.from_ms - 1 || p.t_ms > this.view.to_ms + 1) continue;
      const x = this.x(p.t_ms, w);
      plot.appendChild(s('rect', { x: x - 1, y: TOP + p.lane * LANE_H + 3, width: 2.5, height: LANE_H - 6, fill: colors.get(p.kind)!, class: `packet packet-${p.kind}`, 'data-index': p.index }));
    }
    // Markers on top: a line from its label's row down through the lanes (a leader line when stacked).
    L.markers.forEach((m, i) => {
      const color = themeColor(MARKER_COLOR[m.id] ?? '--vscode-foreground', fg);
      const x = this.x(m.t_ms, w);
      const at = placed.labels[i]!;
      const y = (at.row + 1) * LABEL_ROW_H;
      plot.appendChild(s('line', { x1: x, x2: x, y1: y - 9, y2: TOP + lanes * LANE_H, stroke: color, 'stroke-width': 1.5, class: `marker marker-${m.id}`, 'data-marker': m.id }));
      // Words in the text colour (readable in every theme); the marker's colour is on its line.
      svg.appendChild(s('text', { x: at.left, y, fill: fg, 'font-size': 10, 'text-anchor': 'start', class: 'marker-label', 'data-marker-label': m.id }, markerLabels[i]!));
    });
    svg.appendChild(plot);
    // Axis.
    const axisY = TOP + lanes * LANE_H + 14;
    const span = this.view.to_ms - this.view.from_ms;
    const step = niceStep(span / 8);
    for (let t = Math.ceil(this.view.from_ms / step) * step; t <= this.view.to_ms; t += step) {
      const x = this.x(t, w);
      svg.appendChild(s('line', { x1: x, x2: x, y1: axisY - 12, y2: axisY - 8, stroke: muted }));
      svg.appendChild(s('text', { x, y: axisY + 2, fill: muted, 'font-size': 10, 'text-anchor': 'middle' }, fmtMs(t)));
    }
    replace(this.chartBox, svg);
  }

  private bindPointer(): void {
    const box = this.chartBox;
    let drag: { x: number; from: number; to: number } | null = null;
    box.onwheel = (e: WheelEvent) => {
      if (!this.layout) return;
      e.preventDefault();
      this.zoom(e.deltaY < 0 ? 0.8 : 1.25, this.tAt(e));
    };
    box.onmousedown = (e: MouseEvent) => {
      drag = { x: e.clientX, from: this.view.from_ms, to: this.view.to_ms };
    };
    window.addEventListener('mouseup', () => (drag = null));
    box.onmousemove = (e: MouseEvent) => {
      if (drag && this.layout) {
        const w = this.width();
        const dt = ((e.clientX - drag.x) / (w - LEFT - RIGHT)) * (drag.to - drag.from);
        const full = Math.max(this.layout.end_ms * 1.02, 1);
        const width = drag.to - drag.from;
        const from = Math.min(Math.max(0, drag.from - dt), full - width);
        this.view = { from_ms: from, to_ms: from + width };
        this.draw();
        return;
      }
      this.hover(e);
    };
    box.onmouseleave = () => (this.tip.hidden = true);
  }

  private tAt(e: MouseEvent): number {
    const rect = this.chartBox.getBoundingClientRect();
    const w = this.width();
    return this.view.from_ms + ((e.clientX - rect.left - LEFT) / (w - LEFT - RIGHT)) * (this.view.to_ms - this.view.from_ms);
  }

  private hover(e: MouseEvent): void {
    const L = this.layout;
    const d = this.detail;
    if (!L || !d || L.points.length === 0) return;
    const rect = this.chartBox.getBoundingClientRect();
    const lane = Math.floor((e.clientY - rect.top - this.top) / LANE_H);
    const t = this.tAt(e);
    const pxPerMs = (this.width() - LEFT - RIGHT) / (this.view.to_ms - this.view.from_ms);
    let best = -1;
    let bestDist = 8 / pxPerMs;
    for (let i = 0; i < L.points.length; i++) {
      const p = L.points[i]!;
      if (lane >= 0 && lane < L.lanes.length && p.lane !== lane) continue;
      const dist = Math.abs(p.t_ms - t);
      if (dist < bestDist) {
        bestDist = dist;
        best = i;
      }
    }
    if (best < 0) {
      this.tip.hidden = true;
      return;
    }
    const p = L.points[best]!;
    const packet = d.packets[p.index]!;
    const text = packet.text.length > 400 ? packet.text.slice(0, 400) + '…' : packet.text;
    replace(this.tip, h('div', null, h('strong', null, packet.kind), ` at ${fmtMs(packet.t_ms)} · ${packet.bytes} bytes · packet ${p.index + 1}`), h('pre', null, text));
    this.tip.hidden = false;
    this.tip.dataset.kind = packet.kind;
    const x = e.clientX - rect.left + 12;
    this.tip.style.left = `${Math.min(x, rect.width - 260)}px`;
    this.tip.style.top = `${e.clientY - rect.top + 16}px`;
  }

  private renderInfo(): void {
    const d = this.detail!;
    const parts: HTMLElement[] = [];
    if (d.error) parts.push(h('div', { class: 'error-box' }, h('strong', null, `Error: ${d.error.kind}`), h('pre', { class: 'error-message' }, d.error.message)));
    parts.push(headersTable('Request headers', d.request_headers));
    if (d.response_headers) parts.push(headersTable('Response headers', d.response_headers));
    else parts.push(h('p', { class: 'muted' }, 'Response headers are not recorded for this run.'));
    if (d.thinking_text) parts.push(h('h4', null, 'Thinking'), h('pre', { class: 'text thinking-text' }, d.thinking_text));
    parts.push(h('h4', null, 'Answer'), h('pre', { class: 'text answer-text' }, d.answer_text || (d.traced ? '(no answer text)' : '(not traced)')));
    replace(this.info);
    append(this.info, ...parts);
  }
}

function headersTable(title: string, headers: Record<string, string>): HTMLElement {
  const entries = Object.entries(headers);
  if (entries.length === 0) return h('div', null, h('h4', null, title), h('p', { class: 'muted' }, 'none beyond the defaults'));
  const table = h('table', { class: 'plain headers' });
  for (const [k, v] of entries) table.appendChild(h('tr', null, h('th', null, k), h('td', null, v)));
  return h('div', null, h('h4', null, title), table);
}

function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) if (raw <= m * p) return m * p;
  return 10 * p;
}
