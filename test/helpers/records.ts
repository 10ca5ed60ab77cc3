/** A hand-made request record for tests: a successful 20-token chat reply; `over` replaces any field. */
import fs from 'node:fs';
import type { RequestRecord } from '../../src/core/metrics/record';

export function okRecord(over: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id: 0,
    prompt: 'p',
    user: 0,
    start_ms: 0,
    offset_ms: 0,
    status: 'ok',
    http_status: 200,
    ttft_ms: 100,
    ttfa_ms: 100,
    thinking_ms: null,
    e2e_ms: 500,
    input_tokens: 10,
    output_tokens: 20,
    output_tokens_source: 'server',
    thinking_tokens: 0,
    thinking_tokens_source: 'server',
    token_rate: 50,
    finish_reason: 'stop',
    packets: {},
    ...over,
  };
}

/** The records of a results file (requests.jsonl), one JSON line each. */
export function readRecords(file: string): RequestRecord[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RequestRecord);
}
