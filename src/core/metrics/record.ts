/**
 * One finished request, as written to requests.jsonl: timings derived from the packets' arrival
 * times, token counts with their source, and the success classification.
 */
import type { ErrorKind, Packet, PacketKind, StreamResult } from '../protocols/types';
import type { RequestRow } from '../types/request-row';
import { serverTimingOf, type ServerRequestTiming } from '../server-metrics/request-timing';
import type { Grade } from '../grade/types';

export type TokenSource = 'server' | 'packets' | 'tokenizer';

export interface RequestRecord {
  id: number;
  /** The prompt's name in the scenario. */
  prompt: string;
  /** The virtual user (closed loop) that sent it, or -1 for open-loop arrivals. */
  user: number;
  /** Wall-clock send instant, epoch ms with sub-ms precision. */
  start_ms: number;
  /** Send time relative to the run's start, ms (monotonic). */
  offset_ms: number;
  /** Open-loop and replay only: when the schedule wanted it sent, relative to the run's start. */
  intended_offset_ms?: number;
  response_id?: string;
  status: 'ok' | 'error';
  error?: { kind: ErrorKind; message: string; retry_after?: string };
  /** Not failures, but worth a look: `length` when the answer hit max_tokens. */
  warnings?: string[];
  http_status: number | null;
  ttft_ms: number | null;
  ttfa_ms: number | null;
  /** First thinking packet to first answer packet (or to the last thinking packet when no answer came). */
  thinking_ms: number | null;
  e2e_ms: number;
  input_tokens: number | null;
  input_tokens_source?: TokenSource;
  /** The tokenizer's count of the prompt, beside the server's when both are known. */
  input_tokens_tokenizer?: number;
  /** Prompt tokens the server served from its prefix cache (its own count); absent when it gave none. */
  cached_tokens?: number;
  output_tokens: number;
  output_tokens_source: TokenSource;
  thinking_tokens: number;
  thinking_tokens_source: TokenSource;
  /** Output tokens per second after the first token: (output_tokens - 1) / (last token - first token). */
  token_rate: number | null;
  finish_reason: string | null;
  packets: Partial<Record<PacketKind, number>>;
  /** True for requests sent during warmup: written, never aggregated. */
  warmup?: boolean;
  /** Sends repeated on a fresh connection after a reused one was found closed before any response byte (not a failure); absent when 0. */
  retries?: number;
  /** Packets past the per-request cap, counted but not kept; absent when 0. */
  packets_dropped?: number;
  /** What the server reported about this request in the stream (llama.cpp timings, Ollama durations), and the queue_ms split of TTFT. */
  server?: ServerRequestTiming;
  /** `llmload mirror` only: which server answered (the live primary or the shadow under test). */
  side?: 'primary' | 'shadow';
  /** `llmload mirror` only: the id shared by a primary request and its shadow copy. */
  pair?: number;
  /** Multi-turn sessions only (src/core/load/session.ts): the session (unique in the run) and the turn in it, from 1. */
  session?: number;
  turn?: number;
  /** The graded answer of a prompt with an expected answer (docs/accuracy.md); absent for failed requests. */
  grade?: Grade;
  /**
   * Transient, never written: the answer text of a prompt with an expected answer, carried from the
   * load thread to the main thread, which grades it (src/core/grade/run-grading.ts) and removes it.
   */
  graded_text?: string;
}

/**
 * The part of a record the run's aggregators and the live table read (summary, series, goodput,
 * cache shares, turns, outages, server timings, sweep, Locust stats). The orchestrator thread gets
 * it from a batch's binary digest (results/record-digest.ts) instead of parsing every line; a
 * full record is one too. A field an aggregator starts to read must be added here first, and to
 * the digest: the type checker holds every aggregator to this list.
 */
export const RECORD_DIGEST_FIELDS = [
  'id',
  'prompt',
  'status',
  'error',
  'warnings',
  'warmup',
  'start_ms',
  'offset_ms',
  'http_status',
  'e2e_ms',
  'thinking_ms',
  'ttft_ms',
  'ttfa_ms',
  'token_rate',
  'input_tokens',
  'input_tokens_source',
  'input_tokens_tokenizer',
  'cached_tokens',
  'output_tokens',
  'output_tokens_source',
  'thinking_tokens',
  'session',
  'turn',
  'server',
  'grade',
] as const satisfies readonly (keyof RequestRecord)[];
/** The packet counts in a digest. */
export const RECORD_DIGEST_PACKETS = ['answer', 'thinking', 'tool_call'] as const satisfies readonly PacketKind[];

export type RecordDigest = Pick<RequestRecord, (typeof RECORD_DIGEST_FIELDS)[number]> & { packets: Pick<RequestRecord['packets'], (typeof RECORD_DIGEST_PACKETS)[number]> };

export interface RecordContext {
  id: number;
  prompt: string;
  user: number;
  start_ms: number;
  offset_ms: number;
  intended_offset_ms?: number;
  warmup?: boolean;
  /** The scenario says an answer cut at max_tokens is a failure (`length`), not a warning. */
  length_fails?: boolean;
}

interface PacketTimes {
  firstOutput: number | null;
  toolCalls: number;
  firstAnswer: number | null;
  firstThinking: number | null;
  lastThinking: number | null;
  lastOutput: number | null;
  counts: Partial<Record<PacketKind, number>>;
}

function scanPackets(packets: readonly Packet[]): PacketTimes {
  const r: PacketTimes = { firstOutput: null, toolCalls: 0, firstAnswer: null, firstThinking: null, lastThinking: null, lastOutput: null, counts: {} };
  for (const p of packets) {
    r.counts[p.kind] = (r.counts[p.kind] ?? 0) + 1;
    if (p.kind === 'thinking') {
      if (r.firstThinking === null) r.firstThinking = p.t_ms;
      r.lastThinking = p.t_ms;
    } else if (p.kind === 'answer' || p.kind === 'tool_call') {
      // A tool call is the answer of a turn that calls a tool.
      if (r.firstAnswer === null) r.firstAnswer = p.t_ms;
      if (p.kind === 'tool_call') r.toolCalls++;
    } else {
      continue;
    }
    if (r.firstOutput === null) r.firstOutput = p.t_ms;
    r.lastOutput = p.t_ms;
  }
  return r;
}

/** The error kind of a stream that ended without a transport error, or undefined when it succeeded. */
function classifyOutcome(s: StreamResult, t: PacketTimes): { kind: ErrorKind; message: string } | undefined {
  if (s.error) return s.error;
  if (!s.complete) return { kind: 'disconnect', message: 'the stream ended before its done marker' };
  const hasAnswer = s.answer_text.trim().length > 0 || t.toolCalls > 0;
  const thought = t.firstThinking !== null;
  if (thought && !hasAnswer) {
    if (s.finish_reason === 'length') {
      return { kind: 'truncated_thinking', message: 'stopped by the length limit while still thinking' };
    }
    return { kind: 'empty_answer', message: 'the model thought but gave no answer' };
  }
  if (!hasAnswer) return { kind: 'empty_answer', message: 'finished with no answer text' };
  return undefined;
}

export function buildRecord(s: StreamResult, ctx: RecordContext): RequestRecord {
  const t = scanPackets(s.packets);
  let failure = classifyOutcome(s, t);
  if (!failure && ctx.length_fails && s.finish_reason === 'length') failure = { kind: 'length', message: 'the answer was cut at max_tokens' };

  const serverOut = s.usage?.completion_tokens;
  const output_tokens = serverOut ?? s.answer_chunks + s.thinking_chunks + t.toolCalls;
  const serverThinking = s.usage?.reasoning_tokens;
  const thinking_tokens = serverThinking ?? s.thinking_chunks;

  let token_rate: number | null = null;
  if (!failure && t.firstOutput !== null && t.lastOutput !== null && t.lastOutput > t.firstOutput && output_tokens > 1) {
    token_rate = (output_tokens - 1) / ((t.lastOutput - t.firstOutput) / 1000);
  }
  let thinking_ms: number | null = null;
  if (t.firstThinking !== null) {
    const end = t.firstAnswer ?? t.lastThinking;
    if (end !== null) thinking_ms = end - t.firstThinking;
  }

  const rec: RequestRecord = {
    id: ctx.id,
    prompt: ctx.prompt,
    user: ctx.user,
    start_ms: ctx.start_ms,
    offset_ms: ctx.offset_ms,
    response_id: s.response_id,
    status: failure ? 'error' : 'ok',
    http_status: s.http_status,
    ttft_ms: t.firstOutput,
    ttfa_ms: t.firstAnswer,
    thinking_ms,
    e2e_ms: s.end_ms,
    input_tokens: s.usage?.prompt_tokens ?? null,
    output_tokens,
    output_tokens_source: serverOut !== undefined ? 'server' : 'packets',
    thinking_tokens,
    thinking_tokens_source: serverThinking !== undefined ? 'server' : 'packets',
    token_rate,
    finish_reason: s.finish_reason ?? null,
    packets: t.counts,
  };
  if (rec.input_tokens !== null) rec.input_tokens_source = 'server';
  if (s.usage?.cached_tokens !== undefined) rec.cached_tokens = s.usage.cached_tokens;
  if (ctx.intended_offset_ms !== undefined) rec.intended_offset_ms = ctx.intended_offset_ms;
  if (failure) rec.error = failure;
  if (!failure && s.finish_reason === 'length') rec.warnings = ['length'];
  if (ctx.warmup) rec.warmup = true;
  if (s.retries) rec.retries = s.retries;
  if (s.packets_dropped) rec.packets_dropped = s.packets_dropped;
  const server = serverTimingOf(s.server_timing, t.firstOutput);
  if (server) rec.server = server;
  return rec;
}

/**
 * Adds the tokenizer's count of the prompt (counted before the run, off the hot path): it is the
 * record's input size when the server gave none, and kept beside the server's count otherwise.
 */
export function addTokenizerInput(rec: RequestRecord, tokens: number | undefined): void {
  // A later turn of a session sends more than its prompt's first-turn messages the count is of.
  if (tokens === undefined || (rec.turn !== undefined && rec.turn > 1)) return;
  if (rec.input_tokens === null) {
    rec.input_tokens = tokens;
    rec.input_tokens_source = 'tokenizer';
  } else {
    rec.input_tokens_tokenizer = tokens;
  }
}

/** A finished request as the live table shows it: a compact slice of its record. */
export function requestRowOf(r: RecordDigest): RequestRow {
  const row: RequestRow = {
    id: r.id,
    prompt: r.prompt,
    status: r.status,
    offset_ms: r.offset_ms,
    ttft_ms: r.ttft_ms,
    ttfa_ms: r.ttfa_ms,
    e2e_ms: r.e2e_ms,
    token_rate: r.token_rate,
    input_tokens: r.input_tokens,
    output_tokens: r.output_tokens,
  };
  if (r.error) row.error_kind = r.error.kind;
  if (r.input_tokens_source === 'tokenizer') row.input_source = 'tokenizer';
  if (r.grade) {
    row.grade = r.grade.verdict;
    if (r.grade.verdict !== 'correct') {
      row.expected = r.grade.expected.slice(0, 200);
      if (r.grade.extracted !== undefined) row.extracted = r.grade.extracted.slice(0, 200);
    }
  }
  return row;
}
