/**
 * A batch's records as numbers, for the orchestrator's aggregators: made on the load thread beside
 * the requests.jsonl text (record-lines.ts), read on the orchestrator thread instead of parsing
 * that text. Parsing a short stream's line costs about 2.5–3.5 µs; reading its digest about
 * 0.1 µs (docs/performance-history.md). Only the fields of `RecordDigest` travel, each as one
 * float64; a record the digest cannot carry exactly (an error, server timings, a grade, a warning
 * other than `length`, a number JSON would write as null) is flagged, and the reader parses its
 * line. Either way the reader gives what JSON.parse of the line would, restricted to those fields.
 */
import type { RecordDigest, RequestRecord, TokenSource } from '../metrics/record';

/** A batch's digest as it crosses threads: `values` is transferable. */
export interface RecordDigestBatch {
  /** `count` records of STRIDE numbers each (slot order below). */
  values: Float64Array;
  count: number;
  /** The batch's prompt names, by the index in the PROMPT slot. */
  prompts: string[];
}

// One record's slots. Nullable fields and optional ones are never the same field: NaN is null for
// the first and "absent" for the second.
const ID = 0;
const START = 1;
const OFFSET = 2;
const HTTP_STATUS = 3; // nullable
const E2E = 4;
const THINKING_MS = 5; // nullable
const TTFT = 6; // nullable
const TTFA = 7; // nullable
const TOKEN_RATE = 8; // nullable
const INPUT = 9; // nullable
const INPUT_TOKENIZER = 10; // optional
const CACHED = 11; // optional
const OUTPUT = 12;
const THINKING_TOKENS = 13;
const SESSION = 14; // optional
const TURN = 15; // optional
const PACKETS_ANSWER = 16; // optional
const PACKETS_THINKING = 17; // optional
const PACKETS_TOOL_CALL = 18; // optional
const PROMPT = 19;
/** 0 ok, 1 error (without an error object) */
const STATUS = 20;
/** 0 absent, 1 true, 2 false */
const WARMUP = 21;
/** 0 absent, 1 ['length'] */
const WARNINGS = 22;
/** TOKEN_SOURCES index, 0 absent */
const INPUT_SOURCE = 23;
const OUTPUT_SOURCE = 24;
/** The record's line length in UTF-16 units, newline included: where the next line starts. */
const LINE_LENGTH = 25;
/** 1: parse this record's line. */
const FROM_LINE = 26;
const STRIDE = 27;

const TOKEN_SOURCES: readonly (TokenSource | undefined)[] = [undefined, 'server', 'packets', 'tokenizer'];

function sourceCode(s: TokenSource | undefined): number {
  return s === undefined ? 0 : TOKEN_SOURCES.indexOf(s);
}

/** Builds a batch's digest on the load thread, one record at a time. */
export class RecordDigestWriter {
  private values: Float64Array;
  private count = 0;
  private prompts: string[] = [];
  private promptIndex = new Map<string, number>();
  /** Set by num() when a number cannot travel exactly. */
  private inexact = false;

  constructor(private readonly capacity = 512) {
    this.values = new Float64Array(capacity * STRIDE);
  }

  /** Adds `r`, whose requests.jsonl line (newline included) is `lineLength` long. */
  add(r: RequestRecord, lineLength: number): void {
    if ((this.count + 1) * STRIDE > this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    const v = this.values;
    const o = this.count++ * STRIDE;
    this.inexact = false;
    v[o + ID] = this.required(r.id);
    v[o + START] = this.required(r.start_ms);
    v[o + OFFSET] = this.required(r.offset_ms);
    v[o + HTTP_STATUS] = this.nullable(r.http_status);
    v[o + E2E] = this.required(r.e2e_ms);
    v[o + THINKING_MS] = this.nullable(r.thinking_ms);
    v[o + TTFT] = this.nullable(r.ttft_ms);
    v[o + TTFA] = this.nullable(r.ttfa_ms);
    v[o + TOKEN_RATE] = this.nullable(r.token_rate);
    v[o + INPUT] = this.nullable(r.input_tokens);
    v[o + INPUT_TOKENIZER] = this.optional(r.input_tokens_tokenizer);
    v[o + CACHED] = this.optional(r.cached_tokens);
    v[o + OUTPUT] = this.required(r.output_tokens);
    v[o + THINKING_TOKENS] = this.required(r.thinking_tokens);
    v[o + SESSION] = this.optional(r.session);
    v[o + TURN] = this.optional(r.turn);
    const p = r.packets;
    v[o + PACKETS_ANSWER] = this.optional(p.answer);
    v[o + PACKETS_THINKING] = this.optional(p.thinking);
    v[o + PACKETS_TOOL_CALL] = this.optional(p.tool_call);
    v[o + PROMPT] = this.prompt(r.prompt);
    v[o + STATUS] = r.status === 'ok' ? 0 : 1;
    v[o + WARMUP] = r.warmup === undefined ? 0 : r.warmup === true ? 1 : 2;
    const w = r.warnings;
    v[o + WARNINGS] = w === undefined ? 0 : 1;
    v[o + INPUT_SOURCE] = sourceCode(r.input_tokens_source);
    v[o + OUTPUT_SOURCE] = sourceCode(r.output_tokens_source);
    v[o + LINE_LENGTH] = lineLength;
    const exact =
      !this.inexact &&
      r.error === undefined &&
      r.server === undefined &&
      r.grade === undefined &&
      (r.status === 'ok' || r.status === 'error') &&
      typeof r.prompt === 'string' &&
      (w === undefined || (w.length === 1 && w[0] === 'length')) &&
      (r.warmup === undefined || typeof r.warmup === 'boolean') &&
      // a source outside the list (-1) is not carried
      v[o + INPUT_SOURCE] >= 0 &&
      v[o + OUTPUT_SOURCE] > 0;
    v[o + FROM_LINE] = exact ? 0 : 1;
  }

  /** The batch so far, and a fresh start for the next. */
  take(): RecordDigestBatch {
    const batch: RecordDigestBatch = { values: this.values.slice(0, this.count * STRIDE), count: this.count, prompts: this.prompts };
    this.count = 0;
    this.prompts = [];
    this.promptIndex.clear();
    return batch;
  }

  private prompt(name: string): number {
    let i = this.promptIndex.get(name);
    if (i === undefined) {
      i = this.prompts.length;
      this.prompts.push(name);
      this.promptIndex.set(name, i);
    }
    return i;
  }

  /** A number JSON writes as itself (-0 as 0); anything else sends the record by its line. */
  private required(x: number): number {
    if (typeof x === 'number' && Number.isFinite(x)) return x + 0;
    this.inexact = true;
    return NaN;
  }

  private nullable(x: number | null): number {
    return x === null ? NaN : this.required(x);
  }

  private optional(x: number | undefined): number {
    return x === undefined ? NaN : this.required(x);
  }
}

function nullable(x: number): number | null {
  return x === x ? x : null;
}

/**
 * The batch's records, each as JSON.parse of its line in `lines` would give it restricted to the
 * digest's fields; a flagged record is that parse itself.
 */
export function readRecordDigests(batch: RecordDigestBatch, lines: string): RecordDigest[] {
  const v = batch.values;
  const out: RecordDigest[] = new Array<RecordDigest>(batch.count);
  let at = 0;
  for (let k = 0, o = 0; k < batch.count; k++, o += STRIDE) {
    const length = v[o + LINE_LENGTH]!;
    if (v[o + FROM_LINE] === 1) {
      out[k] = JSON.parse(lines.slice(at, at + length - 1)) as RequestRecord;
      at += length;
      continue;
    }
    at += length;
    const packets: RecordDigest['packets'] = {};
    const answer = v[o + PACKETS_ANSWER]!;
    if (answer === answer) packets.answer = answer;
    const thinking = v[o + PACKETS_THINKING]!;
    if (thinking === thinking) packets.thinking = thinking;
    const toolCall = v[o + PACKETS_TOOL_CALL]!;
    if (toolCall === toolCall) packets.tool_call = toolCall;
    const r: RecordDigest = {
      id: v[o + ID]!,
      prompt: batch.prompts[v[o + PROMPT]!]!,
      status: v[o + STATUS] === 0 ? 'ok' : 'error',
      start_ms: v[o + START]!,
      offset_ms: v[o + OFFSET]!,
      http_status: nullable(v[o + HTTP_STATUS]!),
      e2e_ms: v[o + E2E]!,
      thinking_ms: nullable(v[o + THINKING_MS]!),
      ttft_ms: nullable(v[o + TTFT]!),
      ttfa_ms: nullable(v[o + TTFA]!),
      token_rate: nullable(v[o + TOKEN_RATE]!),
      input_tokens: nullable(v[o + INPUT]!),
      output_tokens: v[o + OUTPUT]!,
      output_tokens_source: TOKEN_SOURCES[v[o + OUTPUT_SOURCE]!]!,
      thinking_tokens: v[o + THINKING_TOKENS]!,
      packets,
    };
    const inputSource = TOKEN_SOURCES[v[o + INPUT_SOURCE]!];
    if (inputSource !== undefined) r.input_tokens_source = inputSource;
    const tokenizer = v[o + INPUT_TOKENIZER]!;
    if (tokenizer === tokenizer) r.input_tokens_tokenizer = tokenizer;
    const cached = v[o + CACHED]!;
    if (cached === cached) r.cached_tokens = cached;
    const session = v[o + SESSION]!;
    if (session === session) r.session = session;
    const turn = v[o + TURN]!;
    if (turn === turn) r.turn = turn;
    const warmup = v[o + WARMUP];
    if (warmup !== 0) r.warmup = warmup === 1;
    if (v[o + WARNINGS] === 1) r.warnings = ['length'];
    out[k] = r;
  }
  return out;
}
