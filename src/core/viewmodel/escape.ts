/**
 * Escaping for the two places text meets markup: HTML text built as a string (the report's static
 * parts) and JSON embedded in a <script> element. Model output, headers and error messages are
 * otherwise only ever set with textContent.
 */

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML[c]!);
}

/**
 * JSON safe inside `<script type="application/json">`: no `<`, `>`, `&` or line separators survive
 * literally, so no `</script>` or `<!--` in the data can end the element early.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Header values whose names look secret are replaced, whatever the source already did. */
export function redactHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    out[k] = /authorization|api[-_]?key|key|token|secret|cookie|password/i.test(k) ? '<redacted>' : String(v);
  }
  return out;
}
