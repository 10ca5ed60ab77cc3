/** What the simulated APIs write alike: SSE frames, NDJSON lines, Ollama's timestamps. */

/** An SSE `data:` frame holding JSON. */
export function sseData(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

/** An SSE frame with an `event:` line. */
export function sseEvent(event: string, value: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(value)}\n\n`;
}

/** One NDJSON line (Ollama's streams). */
export function ndjsonLine(value: unknown): string {
  return JSON.stringify(value) + '\n';
}

/** ISO 8601 time with microseconds, as Ollama's `created_at`. */
export function isoNow(): string {
  return new Date().toISOString().replace('Z', '000Z');
}
