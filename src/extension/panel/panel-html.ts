/**
 * The results webview's HTML: a strict CSP (scripts only by nonce, styles and images only from the
 * extension), the bundled stylesheet and app from dist/webview. Pure, so it is unit-tested.
 */
import { randomBytes } from 'node:crypto';
import { htmlDocumentStart } from '../../core/report/html-head';
import { escapeHtml } from '../../core/viewmodel/escape';

export function newNonce(): string {
  return randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

export function panelCsp(cspSource: string, nonce: string): string {
  return `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${cspSource} 'nonce-${nonce}'; img-src ${cspSource} data:; font-src ${cspSource}`;
}

export function panelHtml(opts: { cspSource: string; scriptUri: string; styleUri: string; nonce: string; title?: string }): string {
  const n = escapeHtml(opts.nonce);
  return `${htmlDocumentStart(panelCsp(opts.cspSource, opts.nonce))}<link rel="stylesheet" href="${escapeHtml(opts.styleUri)}" nonce="${n}">
<title>${escapeHtml(opts.title ?? 'llmload results')}</title>
</head>
<body>
<div id="app"></div>
<script nonce="${n}" src="${escapeHtml(opts.scriptUri)}"></script>
</body>
</html>
`;
}
