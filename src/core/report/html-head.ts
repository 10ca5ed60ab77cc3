/**
 * The opening every llmload HTML page shares (the results webview and the HTML report): doctype,
 * charset, the page's Content-Security-Policy and the viewport. The caller adds its own head lines.
 */
import { escapeHtml } from '../viewmodel/escape';

export function htmlDocumentStart(csp: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
`;
}
