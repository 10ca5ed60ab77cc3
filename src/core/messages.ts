/**
 * The one typed message protocol of llmload. Three hops carry it:
 *   load worker thread  <->  run orchestrator   (worker_threads postMessage)
 *   engine process      <->  VS Code host       (child_process IPC)
 *   VS Code host        <->  results webview    (webview postMessage)
 * Every message is a plain object with a `type`; nothing else crosses a boundary.
 */
import type { Diagnostic } from './scenario/diagnostics';
import type { RunPlan } from './scenario/plan';
import type { Packet } from './protocols/types';
import type { RequestRecord } from './metrics/record';
import type { Summary } from './metrics/summary';
import type { SeriesRow } from './metrics/aggregate';

// ---- load worker <-> run orchestrator ----

export interface WorkerInit {
  plan: RunPlan;
  baseUrl: string;
}

/** Packets of one traced request, for packets.jsonl. */
export interface TracedRequest {
  request: number;
  packets: Packet[];
}

export type WorkerToRunner =
  | { type: 'started'; start_epoch_ms: number }
  | { type: 'records'; records: RequestRecord[]; traces: TracedRequest[] }
  | { type: 'tick'; t_ms: number; active_users: number; target_users: number; in_flight: number; sent: number }
  | { type: 'done'; ended_by: string; duration_ms: number }
  | { type: 'fatal'; message: string };

export type RunnerToWorker = { type: 'stop'; reason: string };

// ---- live progress, shared by the CLI, the engine process and the panel ----

export interface Progress {
  elapsed_s: number;
  /** The load shape's planned length (send window), seconds. */
  planned_s: number;
  active_users: number;
  target_users: number;
  in_flight: number;
  sent: number;
  ok: number;
  failed: number;
  /** Completed ok requests per minute, over the last 10 seconds. */
  qpm: number;
  ttft_p95_ms: number | null;
  token_rate_p50: number | null;
}

/** A finished request as the live table shows it: a compact slice of its record. */
export interface RequestRow {
  id: number;
  prompt: string;
  status: 'ok' | 'error';
  error_kind?: string;
  offset_ms: number;
  ttft_ms: number | null;
  ttfa_ms: number | null;
  e2e_ms: number;
  token_rate: number | null;
  input_tokens: number | null;
  output_tokens: number;
}

/**
 * What changed since the last delta, sent a few times a second (never per packet): the progress,
 * the per-second rows still open (the receiver replaces rows by `t`), and the requests that ended.
 */
export interface LiveDelta {
  progress: Progress;
  series: SeriesRow[];
  requests: RequestRow[];
}

// ---- engine process <-> VS Code host ----

export type HostToEngine =
  | { type: 'run'; file: string; outRoot?: string; targetOverride?: string; secrets: Record<string, string> }
  | { type: 'stop' };

export type EngineToHost =
  | { type: 'invalid'; diagnostics: Diagnostic[] }
  | { type: 'started'; runDir: string }
  | { type: 'progress'; progress: Progress }
  | { type: 'live'; delta: LiveDelta }
  | { type: 'finished'; runDir: string; summary: Summary }
  | { type: 'failed'; message: string };
