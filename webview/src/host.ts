/**
 * Where the view's data comes from. In VS Code: the extension host, over postMessage, with
 * setState/getState for restore. In the HTML report: an in-page host answering the same messages
 * from data embedded in the file, through the same view-model code the extension host uses.
 */
import type { HostToView, ViewState, ViewToHost } from '../../src/core/messages';
import type { ReportData } from '../../src/core/report/report-data';
import { RowStore } from '../../src/core/viewmodel/table';

export type { ReportData };

export interface ViewHost {
  post(msg: ViewToHost): void;
  onMessage(handler: (msg: HostToView) => void): void;
  getState(): ViewState | undefined;
  setState(state: ViewState): void;
}

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export function vscodeHost(): ViewHost {
  const api = acquireVsCodeApi();
  return {
    post: (msg) => api.postMessage(msg),
    onMessage: (handler) => window.addEventListener('message', (e: MessageEvent) => {
      const m = e.data as HostToView | undefined;
      if (m && typeof m === 'object' && typeof m.type === 'string') handler(m);
    }),
    getState: () => (api.getState() as ViewState | undefined) ?? undefined,
    setState: (s) => api.setState(s),
  };
}

export function reportHost(data: ReportData): ViewHost {
  const store = new RowStore(data.bucketOrder);
  store.add(data.rows);
  const details = new Map(data.details.map((d) => [d.id, d]));
  let handler: (msg: HostToView) => void = () => {};
  let state: ViewState | undefined;
  const reply = (m: HostToView) => queueMicrotask(() => handler(m));
  return {
    post(msg) {
      switch (msg.type) {
        case 'ready':
          reply({ type: 'snapshot', snapshot: data.snapshot });
          // A report made with --compare: the Compare tab shows it (see App.renderCompareShell).
          if (data.comparison) reply({ type: 'comparison', view: data.comparison });
          break;
        case 'page':
          reply({ type: 'page', seq: msg.seq, page: store.query(msg.query) });
          break;
        case 'detail': {
          const d = details.get(msg.id);
          if (d) reply({ type: 'detail', seq: msg.seq, detail: d });
          else reply({ type: 'detail', seq: msg.seq, detail: null, error: 'This request was not traced, or its packets are not in this report.' });
          break;
        }
        default:
          break;
      }
    },
    onMessage: (h) => void (handler = h),
    getState: () => state,
    setState: (s) => void (state = s),
  };
}
