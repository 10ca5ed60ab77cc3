/**
 * Entry of the results webview app. In VS Code it talks to the extension host; inside an HTML
 * report it reads the run data embedded in the page (a JSON script element) and answers itself.
 */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-table/index.js';
import '@vscode-elements/elements/dist/vscode-table-body/index.js';
import '@vscode-elements/elements/dist/vscode-table-cell/index.js';
import '@vscode-elements/elements/dist/vscode-table-header/index.js';
import '@vscode-elements/elements/dist/vscode-table-header-cell/index.js';
import '@vscode-elements/elements/dist/vscode-table-row/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import { App } from './app';
import { reportHost, vscodeHost, type ReportData, type ViewHost } from './host';

function start(): void {
  const root = document.getElementById('app');
  if (!root) return;
  let host: ViewHost;
  const embedded = document.getElementById('llmload-report-data');
  if (embedded) {
    host = reportHost(JSON.parse(embedded.textContent ?? '{}') as ReportData);
  } else if (typeof (globalThis as { acquireVsCodeApi?: unknown }).acquireVsCodeApi === 'function') {
    host = vscodeHost();
  } else {
    root.textContent = 'llmload: no data source for this view.';
    return;
  }
  const app = new App(root, host);
  (globalThis as { llmloadApp?: App }).llmloadApp = app;
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
