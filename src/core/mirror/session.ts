/**
 * `llmload mirror` as a library: the proxy (./proxy.ts) in front of the primary, the sampler
 * choosing conversations, the shadow sender, one run folder per side (OUT/primary, OUT/shadow),
 * the pair comparison (OUT/mirror.json) and the capture file. Every part works off the client's
 * path: the primary's answer is on its way before any of this runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildRecord, type RequestRecord } from '../metrics/record';
import type { SentRequest } from '../protocols';
import type { ApiKind } from '../scenario/plan';
import { CaptureWriter, type KeepPrompts } from './capture';
import { PairComparator, type MirrorSummary } from './pairs';
import { startProxy, type CallPlan, type IncomingCall, type RunningProxy } from './proxy';
import { apiOfPath, bodyFacts } from './routes';
import { ConversationSampler, conversationId } from './sampler';
import { keyHashOf, SecretRegistry } from './secrets';
import { ShadowSender, type ShadowCopy } from './shadow-sender';
import { ConversationThreads } from './threads';
import { SideWriter, type Side } from './side-writer';

export const MIRROR_FILE = 'mirror.json';

export interface MirrorOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  primary: string;
  shadow: string;
  /** Share of conversations copied to the shadow, 0..1; default 0.1. */
  sample?: number;
  /** The folder holding primary/, shadow/ and mirror.json. */
  out: string;
  /** Replace the files of an earlier mirror or run in out/primary and out/shadow. */
  force?: boolean;
  shadowKey?: string;
  keepPrompts?: KeepPrompts;
  maxShadowInflight?: number;
  shadowTokensPerMinute?: number;
  shadowDelayMs?: number;
  shadowTimeoutMs?: number;
  shadowStallMs?: number;
  capture?: string;
  /** Values never to write, besides the credentials requests carry (the shadow key is added). */
  secrets?: string[];
  /** Called for each finished record (the CLI's progress line). */
  onRecord?(side: Side, rec: RequestRecord): void;
}

export interface RunningMirror {
  url: string;
  port: number;
  dir: string;
  counts(): MirrorSummary['requests'];
  /**
   * Stops listening and cuts open primary answers (recorded as cancelled), gives the shadow copies
   * still waiting or in flight up to `waitShadowMs` (default 0) to finish, cancels the rest, and
   * writes the summaries.
   */
  close(opts?: { waitShadowMs?: number }): Promise<MirrorSummary>;
}

/** Mirrors of 0 ms and a stop within the same ms still give a duration above 0. */
const MIN_DURATION_MS = 1;

export async function startMirror(opts: MirrorOptions): Promise<RunningMirror> {
  const secrets = new SecretRegistry(opts.secrets ?? []);
  if (opts.shadowKey) secrets.add(opts.shadowKey);
  const dir = path.resolve(opts.out);
  fs.mkdirSync(dir, { recursive: true });
  const writers: Record<Side, SideWriter> = {
    primary: new SideWriter(path.join(dir, 'primary'), 'primary', opts.primary, secrets, opts.force),
    shadow: new SideWriter(path.join(dir, 'shadow'), 'shadow', opts.shadow, secrets, opts.force),
  };
  const sampler = new ConversationSampler(opts.sample ?? 0.1);
  const pairs = new PairComparator();
  const threads = new ConversationThreads();
  const capture = opts.capture ? new CaptureWriter(opts.capture, opts.keepPrompts ?? 'hash', secrets) : undefined;
  const counts: MirrorSummary['requests'] = { primary: 0, sampled: 0, shadow_sent: 0, shadow_skipped: { inflight: 0, tokens_per_minute: 0, shadow_down: 0 }, shadow_unfinished: 0, passthrough: 0 };
  const started = new Date();
  const t0 = performance.now();
  let nextId = 0;

  const record = (side: Side, id: number, pair: number | undefined, api: ApiKind, model: string | undefined, r: SentRequest): void => {
    const rec = buildRecord(r, { id, prompt: model ?? api, user: -1, start_ms: r.start_ms, offset_ms: r.sent_at - t0 });
    rec.side = side;
    if (pair !== undefined) rec.pair = pair;
    writers[side].add(rec, api, model, r.packets);
    pairs.add(side, pair, { rec, answer: r.answer_text });
    opts.onRecord?.(side, rec);
  };

  const shadow = new ShadowSender(
    {
      url: opts.shadow,
      key: opts.shadowKey,
      max_inflight: opts.maxShadowInflight,
      tokens_per_minute: opts.shadowTokensPerMinute,
      delay_ms: opts.shadowDelayMs,
      total_ms: opts.shadowTimeoutMs,
      stall_ms: opts.shadowStallMs,
    },
    (copy: ShadowCopy & { model?: string }, r) => record('shadow', copy.pair, copy.pair, copy.api, copy.model, r),
  );

  const begin = (call: IncomingCall): CallPlan => {
    const api = apiOfPath(call.method, call.path);
    if (!api) {
      secrets.fromRequest(call.headers, call.path);
      counts.passthrough++;
      return {};
    }
    const id = nextId++;
    counts.primary++;
    let pair: number | undefined;
    let model: string | undefined;
    let ran = false;
    // After the primary request is dispatched: nothing here holds the client up.
    const after = (): void => {
      if (ran) return;
      ran = true;
      secrets.fromRequest(call.headers, call.path);
      let body: unknown;
      try {
        body = JSON.parse(call.body.toString('utf8'));
      } catch {
        body = undefined;
      }
      const facts = bodyFacts(body);
      model = facts.model;
      const conversation = conversationId(facts, keyHashOf(call.headers));
      if (capture) capture.write({ offset_ms: call.arrived - t0, epoch_ms: performance.timeOrigin + call.arrived, api, path: call.path, conversation: threads.threadOf(body, conversation), body });
      if (!sampler.sampled(conversation)) return;
      counts.sampled++;
      const copy: ShadowCopy & { model?: string } = {
        pair: id,
        api,
        method: call.method,
        path: call.path,
        headers: call.headers,
        body: call.body,
        tokens: Math.ceil(facts.promptChars / 4) + (facts.maxTokens ?? 0),
        model: facts.model,
      };
      if (shadow.offer(copy) === undefined) pair = id;
    };
    return {
      api,
      after,
      done: (sent) => {
        after();
        record('primary', id, pair, api, model, sent);
      },
    };
  };

  let proxy: RunningProxy;
  try {
    proxy = await startProxy({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0, primary: opts.primary, hooks: { begin } });
  } catch (e) {
    writers.primary.close();
    writers.shadow.close();
    capture?.close();
    await shadow.close();
    throw e;
  }

  const snapshot = (): MirrorSummary['requests'] => ({
    ...counts,
    shadow_sent: shadow.counts.sent,
    shadow_skipped: { ...shadow.counts.skipped },
  });

  return {
    url: proxy.url,
    port: proxy.port,
    dir,
    counts: snapshot,
    async close(o = {}) {
      await proxy.close();
      if (o.waitShadowMs && o.waitShadowMs > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([shadow.idle(), new Promise<void>((r) => (timer = setTimeout(r, o.waitShadowMs)))]);
        clearTimeout(timer);
      }
      counts.shadow_unfinished = await shadow.close();
      capture?.close();
      const duration_ms = Math.max(MIN_DURATION_MS, performance.now() - t0);
      writers.primary.finish(started, duration_ms, 'stopped');
      writers.shadow.finish(started, duration_ms, 'stopped');
      const summary = pairs.summary({ started_at: started.toISOString(), duration_s: duration_ms / 1000, primary: opts.primary, shadow: opts.shadow, sample: sampler.fraction, requests: snapshot() });
      const red = secrets.redactor;
      fs.writeFileSync(path.join(dir, MIRROR_FILE), JSON.stringify(red.value(summary), null, 2) + '\n');
      return summary;
    },
  };
}
