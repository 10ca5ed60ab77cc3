/**
 * Before load starts: is the target ready, where it says so? A server that listens but is still
 * loading its model (llama.cpp answers `503 Loading model` to everything but a ready `/health`)
 * must get no load, so the run waits — bounded, with progress — until the server says it is ready.
 *
 * Where each API's servers say so, probed in this order each round:
 *   openai-chat, openai-completions, openai-responses, sse, anthropic:
 *       GET <root>/health   (llama.cpp `{"status":"ok"}`, vLLM and SGLang 200 with an empty body, TGI)
 *       GET <base>/models   (OpenAI-compatible servers and hosted APIs, with the scenario's key)
 *   tgi:    GET <root>/health, then GET <root>/info
 *   ollama: GET <root>/api/tags
 *   websocket: none (the target is not HTTP); the run starts at once.
 * Each answer means:
 *   200                    ready: the run starts.
 *   502, 503, 504, connection refused (the server went away after the TCP check: restarting)
 *                          not ready: the round ends (a 503 `/health` is the server's word, even if
 *                          another endpoint would already answer) and the next round follows.
 *   anything else (404, 405, 401, 500, a reset, no answer within the probe's 5 s, ...)
 *                          this endpoint says nothing about readiness: the next one is asked. A
 *                          server that stalls or resets is the load's to measure, not a reason to wait.
 * When no endpoint says anything (404 on both), the target has no readiness endpoint and the run
 * starts (`checked: false`). When the wait runs out, the run does not start (RunStartError).
 */
import type { ApiKind } from '../scenario/plan';
import { bodyReason, modelsUrl, probeGet, REFUSED, serverRoot, type ProbeResult } from './probe-http';
import { RunStartError } from './preflight';
import type { ReadinessResult } from '../types/server-facts';

/** How long a run waits for a target that says it is not ready, by default (`timeout ready D` changes it). */
export const DEFAULT_READY_TIMEOUT_MS = 120_000;

export interface ReadinessOptions {
  /** Longest wait, ms; default DEFAULT_READY_TIMEOUT_MS. */
  timeout_ms?: number;
  /** Pause between two rounds of probes, ms; default 1000. */
  interval_ms?: number;
  /** Longest wait for one probe's answer, ms; default 5000. */
  probe_timeout_ms?: number;
  /** Headers every probe sends (the scenario's key and headers; see probeHeaders). */
  headers?: Record<string, string>;
  /** Called after every round that found the target not ready. */
  onWait?(w: ReadinessWait): void;
  /** Ends the wait early (a person stopped the run); the wait then rejects with RunStartError. */
  signal?: AbortSignal;
  /** Values (keys, header values) replaced by `<redacted>` in what is reported: a server may echo them in an error body. */
  secrets?: readonly string[];
}

export interface ReadinessWait {
  /** What the target answered last, for people: `/health 503 Loading model`. */
  status: string;
  waited_ms: number;
  timeout_ms: number;
}

/** The readiness endpoints of an API at a base URL, in the order they are asked. */
export function readinessUrls(api: ApiKind, baseUrl: string): string[] {
  const root = serverRoot(baseUrl);
  switch (api) {
    case 'websocket':
      return [];
    case 'tgi':
      return [`${root}/health`, `${root}/info`];
    case 'ollama':
      // The target may be the server (`http://h:11434`) or its API folder (`…/api`).
      return [`${root.replace(/\/api$/, '')}/api/tags`];
    default:
      return [`${root}/health`, modelsUrl(baseUrl)];
  }
}

const NOT_READY_STATUS = new Set([502, 503, 504]);

type Verdict = { kind: 'ready'; path: string } | { kind: 'not-ready'; why: string } | { kind: 'silent'; why: string };

function answerOf(r: ProbeResult, secrets: readonly string[] = []): string {
  if (r.status === null) return `${r.path} ${r.error ?? 'no answer'}`;
  let reason = bodyReason(r.body);
  for (const s of secrets) if (s.length >= 4) reason = reason.split(s).join('<redacted>');
  return `${r.path} ${r.status}${reason && r.status !== 200 ? ` ${reason}` : ''}`;
}

async function round(urls: readonly string[], opts: ReadinessOptions, count: () => void): Promise<Verdict> {
  const silent: string[] = [];
  for (const url of urls) {
    count();
    const r = await probeGet(url, opts.headers ?? {}, opts.probe_timeout_ms ?? 5000);
    if (r.status === 200) return { kind: 'ready', path: r.path };
    if ((r.status === null && r.error === REFUSED) || (r.status !== null && NOT_READY_STATUS.has(r.status))) return { kind: 'not-ready', why: answerOf(r, opts.secrets) };
    silent.push(answerOf(r, opts.secrets));
  }
  return { kind: 'silent', why: silent.join(', ') };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

/**
 * Waits until the target says it is ready. Resolves with what was found; rejects with
 * RunStartError when it is still not ready after the timeout (or the wait was stopped).
 */
export async function waitUntilReady(api: ApiKind, baseUrl: string, opts: ReadinessOptions = {}): Promise<ReadinessResult> {
  const urls = readinessUrls(api, baseUrl);
  if (urls.length === 0) return { checked: false, ready: false, waited_ms: 0, probes: 0, note: `api ${api} has no readiness endpoint` };
  const timeout = opts.timeout_ms ?? DEFAULT_READY_TIMEOUT_MS;
  const interval = opts.interval_ms ?? 1000;
  const t0 = performance.now();
  let probes = 0;
  let waitedFor: string | undefined;
  for (;;) {
    const v = await round(urls, opts, () => probes++);
    const waited = performance.now() - t0;
    const withWait = (r: ReadinessResult): ReadinessResult => (waitedFor ? { ...r, waited_for: waitedFor } : r);
    if (v.kind === 'ready') return withWait({ checked: true, ready: true, endpoint: v.path, waited_ms: Math.round(waited), probes });
    if (v.kind === 'silent') return withWait({ checked: false, ready: false, waited_ms: Math.round(waited), probes, note: `no readiness endpoint answered (${v.why})` });
    waitedFor = v.why;
    if (opts.signal?.aborted) throw new RunStartError(`stopped while waiting for the target to be ready (${v.why})`);
    if (waited + interval > timeout) {
      throw new RunStartError(
        `the target is not ready after ${seconds(waited)}: ${v.why}. Is it still loading its model? ` +
          `Wait longer with a line like \`timeout ready 10m\` in the scenario.`,
      );
    }
    opts.onWait?.({ status: v.why, waited_ms: waited, timeout_ms: timeout });
    await sleep(interval, opts.signal);
  }
}
