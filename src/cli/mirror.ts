/**
 * `llmload mirror --listen HOST:PORT --primary URL --shadow URL [--sample 10%] [--out DIR] …`:
 * a proxy that sends every request to the primary and a sampled copy to the shadow, until Ctrl-C
 * (or `--for DURATION`). See docs/mirror.md.
 */
import { parseArgs } from 'node:util';
import { KEEP_PROMPTS, type KeepPrompts } from '../core/mirror/capture';
import type { MirrorSummary } from '../core/mirror/pairs';
import { parseSampleFraction } from '../core/mirror/sampler';
import { backgroundModeOf } from '../core/mirror/thread-priority';
import { MIRROR_FILE, startMirror, type RunningMirror } from '../core/mirror/session';
import { RunDirInUseError, utcStamp, DEFAULT_RESULTS_ROOT } from '../core/results/run-dir';
import { parseDuration } from '../core/scenario/units';
import type { CliIO } from './io';
import { inCwd, shownPath } from './paths';
import path from 'node:path';

export const MIRROR_USAGE = `usage: llmload mirror --listen HOST:PORT --primary URL --shadow URL [--sample 10%] [--out DIR [--force]]
         [--shadow-key ENV_OR_VALUE] [--keep-prompts keep|hash|drop] [--max-shadow-inflight N]
         [--shadow-tpm N] [--shadow-delay D] [--shadow-timeout D] [--capture FILE] [--for D]`;

/** How often the progress line is refreshed. */
const PROGRESS_MS = 250;

function fail(io: CliIO, message: string): number {
  io.err(`llmload mirror: ${message}\n${MIRROR_USAGE}`);
  return 2;
}

function httpUrl(v: string | undefined, what: string): string {
  if (!v) throw new Error(`${what} is required (an http:// or https:// URL)`);
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new Error(`${what} takes a URL like http://127.0.0.1:8000, got "${v}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`${what} takes an http:// or https:// URL, got "${v}"`);
  return v;
}

function duration(v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  const p = parseDuration(v);
  if (!p.ok) throw new Error(`${what}: ${p.message}`);
  return p.value;
}

function count(v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new Error(`${what} takes a whole number above 0, got "${v}"`);
  return Number(v);
}

/** `--shadow-key NAME`: the environment variable NAME when it is set, else the value itself. */
export function shadowKeyOf(v: string | undefined, env: Record<string, string | undefined>): string | undefined {
  if (v === undefined || v === '') return undefined;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(v) && env[v] !== undefined && env[v] !== '' ? env[v] : v;
}

export async function mirrorCommand(args: string[], io: CliIO, env: Record<string, string | undefined> = process.env, run: { ownProcess?: boolean } = {}): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        listen: { type: 'string' },
        primary: { type: 'string' },
        shadow: { type: 'string' },
        sample: { type: 'string' },
        out: { type: 'string' },
        force: { type: 'boolean' },
        'shadow-key': { type: 'string' },
        'keep-prompts': { type: 'string' },
        'max-shadow-inflight': { type: 'string' },
        'shadow-tpm': { type: 'string' },
        'shadow-delay': { type: 'string' },
        'shadow-timeout': { type: 'string' },
        capture: { type: 'string' },
        for: { type: 'string' },
      },
    }));
  } catch (e) {
    return fail(io, (e as Error).message);
  }
  let opts;
  try {
    const listen = values.listen ?? '127.0.0.1:8080';
    const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(listen);
    if (!m || Number(m[3]) > 65535) throw new Error(`--listen takes HOST:PORT, e.g. 127.0.0.1:8080, got "${listen}"`);
    const keep = values['keep-prompts'] ?? 'hash';
    if (!KEEP_PROMPTS.includes(keep as KeepPrompts)) throw new Error(`--keep-prompts takes keep, hash or drop, got "${keep}"`);
    opts = {
      host: m[1] ?? (m[2] || '127.0.0.1'),
      port: Number(m[3]),
      primary: httpUrl(values.primary, '--primary'),
      shadow: httpUrl(values.shadow, '--shadow'),
      sample: parseSampleFraction(values.sample ?? '10%'),
      out: values.out ?? path.join(DEFAULT_RESULTS_ROOT, `${utcStamp(new Date())}-mirror`),
      force: values.force,
      shadowKey: shadowKeyOf(values['shadow-key'], env),
      keepPrompts: keep as KeepPrompts,
      maxShadowInflight: count(values['max-shadow-inflight'], '--max-shadow-inflight'),
      shadowTokensPerMinute: count(values['shadow-tpm'], '--shadow-tpm'),
      shadowDelayMs: duration(values['shadow-delay'], '--shadow-delay'),
      shadowTimeoutMs: duration(values['shadow-timeout'], '--shadow-timeout'),
      capture: values.capture,
      forMs: duration(values.for, '--for'),
    };
  } catch (e) {
    return fail(io, (e as Error).message);
  }
  const { forMs, ...mirrorOpts } = opts;
  let mirror: RunningMirror;
  try {
    // LLMLOAD_MIRROR_ONE_THREAD=1: the bookkeeping on the proxy's thread, to compare with the worker;
    // LLMLOAD_MIRROR_BACKGROUND=nice|normal: the other threads at nice 10 or left alone, to compare with SCHED_IDLE (docs/mirror.md).
    mirror = await startMirror({ ...mirrorOpts, oneThread: env.LLMLOAD_MIRROR_ONE_THREAD === '1', ownProcess: run.ownProcess, background: backgroundModeOf(env.LLMLOAD_MIRROR_BACKGROUND) });
  } catch (e) {
    if (e instanceof RunDirInUseError) return fail(io, `${inCwd(e.message)}; add --force to replace it, or give another --out`);
    io.err(`llmload mirror: cannot start: ${(e as Error).message}`);
    return 3;
  }
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const timer = forMs !== undefined ? setTimeout(stop, forMs) : undefined;
  timer?.unref();
  // The progress line from the shared counts, a few times a second: nothing per request on the proxy's loop.
  let shown = '';
  const progress = setInterval(() => {
    const a = mirror.answered();
    const line = `mirror: ${a.primary} primary, ${a.shadow} shadow answers`;
    if (a.primary + a.shadow > 0 && line !== shown) io.progress((shown = line));
  }, PROGRESS_MS);
  progress.unref();
  io.out(`llmload mirror listening on ${mirror.url}  primary ${opts.primary}  shadow ${opts.shadow}  sample ${(opts.sample * 100).toFixed(1)}%  (Ctrl-C stops)`);
  io.out(`  results: ${shownPath(mirror.dir)}/primary, ${shownPath(mirror.dir)}/shadow, ${shownPath(mirror.dir)}/${MIRROR_FILE}${opts.capture ? `; capture: ${shownPath(opts.capture)}` : ''}`);
  await stopped;
  clearTimeout(timer);
  clearInterval(progress);
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  // Copies still on the shadow get a few seconds to finish; the rest are recorded as cancelled.
  const summary = await mirror.close({ waitShadowMs: 5000 });
  io.progressDone();
  for (const l of summaryLines(summary)) io.out(l);
  io.out(`compare the sides: llmload compare ${shownPath(path.join(mirror.dir, 'primary'))} ${shownPath(path.join(mirror.dir, 'shadow'))}`);
  return 0;
}

function ms(v: number | null): string {
  return v === null ? '-' : `${v >= 0 ? '+' : ''}${v.toFixed(1)} ms`;
}

function pct(v: number | null): string {
  return v === null ? '-' : `${(v * 100).toFixed(1)}%`;
}

export function summaryLines(s: MirrorSummary): string[] {
  const r = s.requests;
  return [
    `requests: ${r.primary} to the primary (${r.passthrough} untimed), ${r.sampled} sampled, ${r.shadow_sent} sent to the shadow, skipped ${r.shadow_skipped.inflight} (in flight cap) + ${r.shadow_skipped.tokens_per_minute} (tokens/min cap) + ${r.shadow_skipped.shadow_down} (shadow down), ${r.shadow_unfinished} unfinished`,
    `pairs: ${s.pairs}, both ok ${s.agreement.both_ok}; error rate primary ${pct(s.error_rate.primary)}, shadow ${pct(s.error_rate.shadow)}`,
    `shadow − primary: TTFT p50 ${ms(s.delta.ttft_ms.p50)} p99 ${ms(s.delta.ttft_ms.p99)}; e2e p50 ${ms(s.delta.e2e_ms.p50)} p99 ${ms(s.delta.e2e_ms.p99)}; token rate p50 ${s.delta.token_rate.p50 === null ? '-' : s.delta.token_rate.p50.toFixed(1) + ' tok/s'}`,
    `agreement: finish reason ${pct(s.agreement.finish_reason)}, output tokens ${pct(s.agreement.output_tokens)} (mean diff ${s.agreement.output_tokens_diff_pct === null ? '-' : s.agreement.output_tokens_diff_pct.toFixed(1) + '%'}), exact answer ${pct(s.agreement.answer_exact)}`,
  ];
}
