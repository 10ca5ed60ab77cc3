/**
 * requests.jsonl text of a batch of records, built on the load thread that measured them, and the
 * records read back from it. Posting the batch as this one string costs less CPU than the
 * structured clone of the record objects plus a second JSON.stringify for the file (measured on
 * short streams: the orchestrator's CPU per request 4.4 against 3.2 µs, docs/performance.md), and
 * the orchestrator writes the text as it came. It aggregates from the batch's digest
 * (record-digest.ts) and reads the records back from the text only for a consumer of whole records
 * (a Locust worker) or to redact a batch that holds a secret (writer.ts). Used only when the
 * orchestrator does not change records before writing them (no grading).
 */
import type { RequestRecord } from '../metrics/record';

/** A record's line, ended by a newline (JSON.stringify never leaves a raw newline inside it). */
export function recordLine(r: RequestRecord): string {
  return JSON.stringify(r) + '\n';
}

/** One line per record, in order. */
export function toRecordLines(records: readonly RequestRecord[]): string {
  let out = '';
  for (const r of records) out += recordLine(r);
  return out;
}

/** The records of toRecordLines' text, in order. */
export function fromRecordLines(lines: string): RequestRecord[] {
  if (lines.length === 0) return [];
  // Newlines separate the lines and occur nowhere inside them: one parse of the batch as an array.
  return JSON.parse(`[${lines.slice(0, -1).replaceAll('\n', ',')}]`) as RequestRecord[];
}
