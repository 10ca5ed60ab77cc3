/**
 * The mirror's work off the proxy's loop, in its worker thread (./worker.ts): for each timed
 * request, the body parse, the conversation sampling, the capture line and the shadow copy; for
 * each answer, the primary's decoding (./stream-log.ts) and both sides' records (one run folder
 * per side, OUT/primary and OUT/shadow), the pair comparison and, at the end, the summaries
 * (OUT/mirror.json). Secret values seen in requests are registered here, so no file holds one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildRecord, type RequestRecord } from '../metrics/record';
import type { SentRequest } from '../protocols';
import type { ApiKind } from '../scenario/plan';
import { CaptureWriter } from './capture';
import { PairComparator, type MirrorSummary } from './pairs';
import { bodyFacts } from './routes';
import { ConversationSampler, conversationId } from './sampler';
import { keyHashOf, SecretRegistry } from './secrets';
import { ShadowSender, type ShadowCopy } from './shadow-sender';
import { SideWriter, type Side } from './side-writer';
import { decodeStreamLog } from './stream-log';
import type { BackgroundThreadsReport } from './thread-priority';
import { ConversationThreads } from './threads';
import { COUNTER, countsOf, type BookOptions, type CallMessage, type ToMirrorWorker } from './worker-protocol';

export const MIRROR_FILE = 'mirror.json';

/** At stop, copies already sent get this long to reach their socket before any is cancelled. */
const ON_WIRE_MS = 2000;

/** Mirrors of 0 ms and a stop within the same ms still give a duration above 0. */
const MIN_DURATION_MS = 1;

interface Call {
  api: ApiKind;
  model?: string;
  pair?: number;
}

export class MirrorBookkeeper {
  private readonly secrets: SecretRegistry;
  private readonly writers: Record<Side, SideWriter>;
  private readonly sampler: ConversationSampler;
  private readonly pairs = new PairComparator();
  private readonly threads = new ConversationThreads();
  private readonly capture?: CaptureWriter;
  private readonly shadow: ShadowSender;
  /** Timed requests whose answer has not come yet. */
  private readonly calls = new Map<number, Call>();
  private readonly started = new Date();

  constructor(
    private readonly opts: BookOptions,
    /** Epoch ms of the mirror's start. */
    private readonly t0: number,
    private readonly counters: Int32Array,
    private readonly onRecord?: (side: Side, rec: RequestRecord) => void,
  ) {
    this.secrets = new SecretRegistry(opts.secrets ?? []);
    if (opts.shadowKey) this.secrets.add(opts.shadowKey);
    fs.mkdirSync(opts.dir, { recursive: true });
    const primary = new SideWriter(path.join(opts.dir, 'primary'), 'primary', opts.primary, this.secrets, opts.force);
    let shadow: SideWriter;
    try {
      shadow = new SideWriter(path.join(opts.dir, 'shadow'), 'shadow', opts.shadow, this.secrets, opts.force);
    } catch (e) {
      primary.close();
      throw e;
    }
    this.writers = { primary, shadow };
    this.sampler = new ConversationSampler(opts.sample);
    this.capture = opts.capture ? new CaptureWriter(opts.capture, opts.keepPrompts ?? 'hash', this.secrets) : undefined;
    this.shadow = new ShadowSender(
      {
        url: opts.shadow,
        key: opts.shadowKey,
        max_inflight: opts.maxShadowInflight,
        tokens_per_minute: opts.shadowTokensPerMinute,
        delay_ms: opts.shadowDelayMs,
        total_ms: opts.shadowTimeoutMs,
        stall_ms: opts.shadowStallMs,
      },
      (copy: ShadowCopy & { model?: string }, r) => this.record('shadow', copy.pair, copy.pair, copy.api, copy.model, r),
    );
  }

  handle(m: ToMirrorWorker): void {
    if (m.type === 'call') this.call(m);
    else if (m.type === 'answers') {
      for (const c of m.calls ?? []) this.call(c);
      for (const a of m.answers) this.answer(a.id, decodeStreamLog(a.log, this.calls.get(a.id)?.api ?? 'openai-chat'));
    } else if (m.type === 'passthrough') this.secrets.fromRequest(m.headers, m.path);
  }

  private record(side: Side, id: number, pair: number | undefined, api: ApiKind, model: string | undefined, r: SentRequest): void {
    const rec = buildRecord(r, { id, prompt: model ?? api, user: -1, start_ms: r.start_ms, offset_ms: r.start_ms - this.t0 });
    rec.side = side;
    if (pair !== undefined) rec.pair = pair;
    this.writers[side].add(rec, api, model, r.packets);
    this.pairs.add(side, pair, { rec, answer: r.answer_text });
    Atomics.add(this.counters, side === 'primary' ? COUNTER.primary_answers : COUNTER.shadow_answers, 1);
    this.onRecord?.(side, rec);
  }

  /** A timed request was dispatched to the primary: capture it, and copy it when its conversation is sampled. */
  private call(m: CallMessage): void {
    const c: Call = { api: m.api };
    this.calls.set(m.id, c);
    this.secrets.fromRequest(m.headers, m.path);
    const bodyBytes = Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength);
    let body: unknown;
    try {
      body = JSON.parse(bodyBytes.toString('utf8'));
    } catch {
      body = undefined;
    }
    const facts = bodyFacts(body);
    c.model = facts.model;
    const conversation = conversationId(facts, keyHashOf(m.headers));
    if (this.capture) this.capture.write({ offset_ms: m.arrived_epoch - this.t0, epoch_ms: m.arrived_epoch, api: m.api, path: m.path, conversation: this.threads.threadOf(body, conversation), body });
    if (!this.sampler.sampled(conversation)) return;
    Atomics.add(this.counters, COUNTER.sampled, 1);
    const copy: ShadowCopy & { model?: string } = {
      pair: m.id,
      api: m.api,
      method: m.method,
      path: m.path,
      headers: m.headers,
      body: bodyBytes,
      tokens: Math.ceil(facts.promptChars / 4) + (facts.maxTokens ?? 0),
      model: facts.model,
    };
    if (this.shadow.offer(copy) === undefined) c.pair = m.id;
    this.shareShadowCounts();
  }

  private shareShadowCounts(): void {
    const s = this.shadow.counts;
    Atomics.store(this.counters, COUNTER.shadow_sent, s.sent);
    Atomics.store(this.counters, COUNTER.skipped_inflight, s.skipped.inflight);
    Atomics.store(this.counters, COUNTER.skipped_tokens_per_minute, s.skipped.tokens_per_minute);
    Atomics.store(this.counters, COUNTER.skipped_shadow_down, s.skipped.shadow_down);
  }

  private answer(id: number, r: SentRequest): void {
    const c = this.calls.get(id);
    this.calls.delete(id);
    this.record('primary', id, c?.pair, c?.api ?? 'openai-chat', c?.model, r);
  }

  /**
   * After the proxy stopped: copies already sent are let reach the shadow (up to ON_WIRE_MS), the
   * copies still waiting or in flight get up to `waitShadowMs` to finish, the rest are cancelled;
   * then the summaries are written.
   */
  async close(waitShadowMs: number, threads?: BackgroundThreadsReport): Promise<MirrorSummary> {
    await this.shadow.onWire(ON_WIRE_MS);
    if (waitShadowMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.shadow.idle(), new Promise<void>((r) => (timer = setTimeout(r, waitShadowMs)))]);
      clearTimeout(timer);
    }
    const unfinished = await this.shadow.close();
    this.shareShadowCounts();
    this.capture?.close();
    const duration_ms = Math.max(MIN_DURATION_MS, performance.timeOrigin + performance.now() - this.t0);
    this.writers.primary.finish(this.started, duration_ms, 'stopped');
    this.writers.shadow.finish(this.started, duration_ms, 'stopped');
    const { opts } = this;
    const summary = this.pairs.summary({ started_at: this.started.toISOString(), duration_s: duration_ms / 1000, primary: opts.primary, shadow: opts.shadow, sample: this.sampler.fraction, requests: countsOf(this.counters, unfinished) });
    if (threads) summary.threads = threads;
    fs.writeFileSync(path.join(opts.dir, MIRROR_FILE), JSON.stringify(this.secrets.redactor.value(summary), null, 2) + '\n');
    return summary;
  }

  /** Closes the files without summaries (the mirror could not start). */
  abandon(): void {
    this.writers.primary.close();
    this.writers.shadow.close();
    this.capture?.close();
    void this.shadow.close();
  }
}

