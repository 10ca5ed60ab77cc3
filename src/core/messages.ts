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
import type { RecordDigestBatch } from './results/record-digest';
import type { Summary } from './metrics/summary';
import type { ReplayEntry, Shard } from './load/shape';
import type { SeriesRow } from './metrics/aggregate';
import type { ConnectionStats } from './protocols/connections';
import type { RequestRow } from './types/request-row';
import type { HeldBack } from './load/backoff';
import type { NiceResult } from './load/thread-priority';
import type { GcPauses } from './load/gc-pauses';
import type { ConnectBursts } from './load/connect-bursts';

// ---- run orchestrator <-> its N load worker threads ----
// Every thread gets a shard of the load, waits for a common start instant, and hands back its own
// histograms (encoded, added losslessly by the runner).

/** Packets of one traced request, for packets.jsonl. */
export interface TracedRequest {
  request: number;
  packets: Packet[];
}

export type { HeldBack } from './load/backoff';

export interface LoadWorkerInit {
  plan: RunPlan;
  baseUrl: string;
  shard: Shard;
  /** The entries of a replay log (replay plans only), the same for every shard. */
  replay?: ReplayEntry[];
  /** Connection pool size of this thread. */
  connections: number;
  /** The user count comes from the runner (`users` messages: a Locust master), not the plan's load shape. */
  external?: boolean;
  /** The arrival rate comes from the runner (`rate` messages: a sweep search), not the plan's load shape. */
  external_rate?: boolean;
  /** Send records as requests.jsonl text (`record-lines`), not objects: the runner writes them unchanged (no grading). */
  record_lines?: boolean;
  /** Input tokens of each prompt by name, from the model's tokenizer: added to each record on the thread. */
  input_tokens?: ReadonlyMap<string, number>;
}

/** The per-thread histograms, by name, each `Hist.encode()`d (values in ms, scale 1000). */
export type EncodedHistograms = Record<ThreadHistName, string>;

export const THREAD_HISTS = ['itl_thinking', 'itl_answer', 'itl_packet_thinking', 'itl_packet_answer', 'schedule_lag', 'event_loop_lag'] as const;
export type ThreadHistName = (typeof THREAD_HISTS)[number];

export type LoadWorkerToRunner =
  /** The thread has built its client and waits for `go`; with `thread_priority high`, what raising its priority did. */
  | { type: 'ready'; priority?: NiceResult }
  | { type: 'records'; records: RequestRecord[]; traces: TracedRequest[]; /** Requests held back by backoff since the last batch. */ held_back?: HeldBack[] }
  /**
   * The same as `records`, the records as requests.jsonl text (results/record-lines.ts) when the
   * init asked for it, with the fields the orchestrator aggregates as numbers (results/record-digest.ts).
   */
  | { type: 'record-lines'; lines: string; digest: RecordDigestBatch; traces: TracedRequest[]; held_back?: HeldBack[] }
  | { type: 'tick'; t_ms: number; active_users: number; target_users: number; in_flight: number; sent: number }
  /** A stop condition fired on this thread that ends the whole run (the runner tells the others). */
  | { type: 'stopping'; reason: string }
  /** The thread's connection counts (opened, closed by the server after a response, retries), before `done`. */
  | { type: 'connections'; stats: ConnectionStats }
  | { type: 'done'; ended_by: string; duration_ms: number; histograms: EncodedHistograms; /** This thread's GC pauses over the run. */ gc_pauses?: GcPauses; /** Its event-loop lag while opening connections. */ connect_bursts?: ConnectBursts }
  | { type: 'fatal'; message: string };

export type RunnerToLoadWorker =
  /** Start the schedule at this wall-clock instant (epoch ms), common to every thread. */
  | { type: 'go'; start_epoch_ms: number; /** the same instant on process.hrtime, ms: one clock for every thread */ start_hr_ms: number }
  /** `abort` ends open streams at once; otherwise no new request is sent and those in flight finish. */
  | { type: 'stop'; reason: string; abort?: boolean }
  /** External load only: run this many users from now on (global count; each thread starts its share). */
  | { type: 'users'; users: number }
  /** External rate only (a sweep search): arrivals at this rate per second (global) from `at_ms` on the run's clock. */
  | { type: 'rate'; per_s: number; at_ms: number };

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

export type { RequestRow } from './types/request-row';

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

// ---- VS Code host <-> results webview (and the HTML report's in-page host) ----

/** Columns the requests table sorts by. */
export type RequestSortKey = 'id' | 'offset_ms' | 'ttft_ms' | 'ttfa_ms' | 'e2e_ms' | 'token_rate' | 'input_tokens' | 'output_tokens';

/** A page of the requests table, asked for by the view; the host holds every row. */
export interface TableQuery {
  sort: RequestSortKey;
  desc: boolean;
  status?: 'ok' | 'error';
  error_kind?: string;
  prompt?: string;
  bucket?: string;
  /** Graded runs: `correct`, `wrong`, `unparsed`, or `not_correct` (wrong or unparsed: the wrong-answers filter). */
  grade?: 'correct' | 'wrong' | 'unparsed' | 'not_correct';
  /** Only requests that ended in this second of the run (a click on a chart). */
  second?: number;
  /** 0-based. */
  page: number;
  page_size: number;
}

/** A requests-table row: the live row plus its input-token bucket label (when the plan has buckets). */
export interface TableRow extends RequestRow {
  bucket?: string;
}

export interface RequestPage {
  query: TableQuery;
  /** Rows matching the filters. */
  matching: number;
  /** Rows in the run. */
  total: number;
  rows: TableRow[];
  /** Values to offer in the filters. */
  facets: { prompts: string[]; error_kinds: string[]; buckets: string[]; grades?: string[] };
}

/** One packet of a traced request, as packets.jsonl holds it. */
export interface TimelinePacket {
  t_ms: number;
  kind: string;
  bytes: number;
  text: string;
}

/** Everything the packet timeline of one request shows; fetched on demand from the run's files. */
export interface RequestDetail {
  id: number;
  /** The request's line of requests.jsonl, or null when it is not there (yet). */
  record: RequestRecord | null;
  /** False when the request was not traced: no packets were kept. */
  traced: boolean;
  packets: TimelinePacket[];
  thinking_text: string;
  answer_text: string;
  /** Request headers as sent (from plan.json; secrets redacted). */
  request_headers: Record<string, string>;
  /** Response headers, when the run recorded them (secrets redacted). */
  response_headers?: Record<string, string>;
  error?: { kind: string; message: string };
}

/** Another run of the same results root, offered for comparison. */
export interface RunListItem {
  dir: string;
  name: string;
  scenario: string;
  started_at: string;
  /** Requests made, and the run's verdict label (PASS, FAIL, STOPPED, ...), for the Compare picker. */
  requests?: number;
  verdict?: string;
}

/** Everything the panel shows about one run, replayed whenever the view (re)loads. */
export interface PanelSnapshot {
  /** The panel's key: the scenario file, or the run folder for a run opened alone. */
  key: string;
  scenario: string;
  file: string;
  runDir: string | null;
  state: 'idle' | 'running' | 'finished';
  progress: Progress | null;
  series: SeriesRow[];
  summary: Summary | null;
  /** Rows in the requests table. */
  requests_total: number;
  /** Input token bucket bounds of the plan. */
  buckets: number[];
  /** Whether this view can ask for other runs, compare and export (false in the static HTML report). */
  interactive: boolean;
  /** The view's last saved state, as the host knows it (a restored panel gets it back this way too). */
  view?: ViewState;
}

/** Compare view payload: the table (see src/core/compare) and both runs' series for overlaid charts. */
export interface ComparisonView {
  comparison: import('./compare/compare').Comparison;
  seriesA: SeriesRow[];
  seriesB: SeriesRow[];
}

export type HostToView =
  | { type: 'snapshot'; snapshot: PanelSnapshot }
  | { type: 'live'; progress: Progress; series: SeriesRow[]; requests_total: number }
  | { type: 'page'; seq: number; page: RequestPage }
  | { type: 'detail'; seq: number; detail: RequestDetail | null; error?: string }
  | { type: 'runs'; runs: RunListItem[] }
  | { type: 'comparison'; view: ComparisonView | null; error?: string }
  | { type: 'show'; tab: ViewTab };

export type ViewTab = 'live' | 'tables' | 'requests' | 'compare';

export type ViewToHost =
  | { type: 'ready' }
  | { type: 'page'; seq: number; query: TableQuery }
  | { type: 'detail'; seq: number; id: number }
  | { type: 'listRuns' }
  | { type: 'compare'; other: string }
  | { type: 'exportReport' }
  | { type: 'viewState'; state: ViewState }
  /** The panel's Stop button: ends the run it shows. */
  | { type: 'stop' };

/** What the webview keeps with setState, so a reloaded window restores the panel. */
export interface ViewState {
  key: string;
  runDir: string | null;
  tab: ViewTab;
  selected: number | null;
  query?: TableQuery;
}
