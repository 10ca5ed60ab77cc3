/**
 * Micro-bench of the writer's redaction (src/core/results/redact.ts) on one thread, no disk: the
 * serialization of N records and of the packets of N traced requests, as RunWriter.append does it,
 * (a) with no secret (the baseline: Redactor.none), (b) with two secrets that the data does not
 * hold (the usual case), (c) with the key echoed in every 10th record's error and every 10th
 * request's answer (split across packets). Printed as ratios against (a), measured in this same
 * invocation. Also a module of `npm run bench` (run()).
 *   node --import tsx bench/redact-micro.ts [seconds per case]
 */
import type { TracedRequest } from '../src/core/messages';
import type { RequestRecord } from '../src/core/metrics/record';
import { Redactor } from '../src/core/results/redact';
import { packetLines, recordLines } from '../src/core/results/writer';
import type { BenchRow } from './bench-kit';

const KEY = 'sk-proj-7Hc2Kx9QmV4pLw8ZtR1bN6yD';
const OTHER = 'team-secret-value-42';
const N = 200;
const PACKETS = 64;

function record(id: number, echo: boolean): RequestRecord {
  const r = {
    id,
    prompt: 'chat-short',
    user: id % 16,
    start_ms: 1796557112852.0085 + id * 7.3,
    offset_ms: id * 7.3,
    response_id: `chatcmpl-${id}`,
    status: 'ok',
    http_status: 200,
    ttft_ms: 44.71553700000004,
    ttfa_ms: 44.71553700000004,
    thinking_ms: null,
    e2e_ms: 132.46995000000004,
    input_tokens: 812,
    output_tokens: 64,
    output_tokens_source: 'server',
    thinking_tokens: 0,
    thinking_tokens_source: 'server',
    token_rate: 80.2028692622309,
    finish_reason: 'stop',
    packets: { other: 2, answer: 64, stats: 1, done: 1 },
    input_tokens_source: 'server',
    cached_tokens: 0,
  } as Record<string, unknown>;
  if (echo) {
    r.status = 'error';
    r.http_status = 401;
    r.error = { kind: 'http_4xx', message: `HTTP 401: {"error":{"message":"Incorrect API key provided: Bearer ${KEY}","type":"invalid_request_error"}}` };
  }
  return r as unknown as RequestRecord;
}

function traced(id: number, echo: boolean): TracedRequest {
  const words = 'The quick brown fox jumps over the lazy dog while the load test measures every token as it arrives '.split(' ');
  const texts: string[] = [];
  for (let i = 0; i < PACKETS; i++) texts.push(words[i % words.length]! + ' ');
  if (echo) for (let k = 0, i = 20; k < KEY.length; k += 4, i++) texts[i] = KEY.slice(k, k + 4);
  return { request: id, packets: texts.map((text, i) => ({ t_ms: 40 + i * 12.5, kind: 'answer' as const, bytes: 90 + text.length, text })) };
}

/** Fresh batches each pass: redaction changes them in place. */
function batch(echoEvery: number): { records: RequestRecord[]; traces: TracedRequest[] } {
  const records: RequestRecord[] = [];
  const traces: TracedRequest[] = [];
  for (let i = 0; i < N; i++) {
    const echo = echoEvery > 0 && i % echoEvery === 0;
    records.push(record(i, echo));
    traces.push(traced(i, echo));
  }
  return { records, traces };
}

/**
 * µs per request (a record + a traced request of PACKETS packets) serialized, for each case. The
 * cases take turns batch by batch, in a rotating order, so a busy machine slows them alike; each
 * batch is built fresh (redaction changes it in place) outside the timed part.
 */
function measure(cases: ReadonlyArray<{ red: Redactor; echoEvery: number }>, seconds: number): number[] {
  const ms = cases.map(() => 0);
  let batches = 0;
  let sink = 0;
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until || batches === 0) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(k + batches) % cases.length]!;
      const { records, traces } = batch(c.echoEvery);
      const t0 = performance.now();
      sink += recordLines(records, c.red).length + packetLines(traces, c.red).length;
      ms[(k + batches) % cases.length]! += performance.now() - t0;
    }
    batches++;
  }
  if (sink === 0) throw new Error('nothing serialized');
  return ms.map((m) => (m * 1000) / (batches * N));
}

export async function run(seconds = 3): Promise<BenchRow[]> {
  const cases = [
    { red: Redactor.none, echoEvery: 0 },
    { red: new Redactor([KEY, OTHER]), echoEvery: 0 },
    { red: new Redactor([KEY, OTHER]), echoEvery: 10 },
  ];
  measure(cases, 0.3); // warm up
  const [base, clean, echoed] = measure(cases, seconds) as [number, number, number];
  const row = (name: string, v: number): BenchRow => ({ name, value: v, unit: 'µs/request', baseline_name: 'no secrets', baseline: base, ratio: Math.round((v / base) * 100) / 100 });
  const rows = [row('redact: 2 secrets, data clean', clean), row('redact: 2 secrets, key in 1/10 (split)', echoed)];
  console.log(`serializing batches of ${N} records + ${N} traced requests of ${PACKETS} packets, cases interleaved`);
  for (const r of rows) console.log(`${r.name}: ${r.value.toFixed(2)} ${r.unit} (no secrets ${base.toFixed(2)}) = ${r.ratio}x`);
  return rows;
}

if (require.main === module) void run(Number(process.argv[2] ?? 3));
