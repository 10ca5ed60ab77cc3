/**
 * What the proxy's thread and the mirror's worker thread (./worker.ts) say to each other. The
 * proxy posts one message when a timed request is dispatched (its method, path, headers, body)
 * and one when its answer ended (the StreamLog); everything else (sampling, capture, the shadow,
 * decoding, records, summaries) is the worker's. Counts are shared memory, so the proxy's
 * thread reads them without a round trip.
 */
import type { RequestRecord } from '../metrics/record';
import type { ApiKind } from '../scenario/plan';
import type { KeepPrompts } from './capture';
import type { MirrorCounts, MirrorSummary } from './pairs';
import type { HeaderMap } from './secrets';
import type { Side } from './side-writer';
import type { StreamLog } from './stream-log';
import type { BackgroundMode } from './thread-priority';

/** What the worker needs to know: the mirror's options less the proxy's own and the callbacks. */
export interface BookOptions {
  primary: string;
  shadow: string;
  /** Share of conversations copied to the shadow, 0..1. */
  sample: number;
  /** The folder holding primary/, shadow/ and mirror.json. */
  dir: string;
  /** Replace the files of an earlier mirror or run in dir/primary and dir/shadow. */
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
}

export interface MirrorWorkerInit {
  opts: BookOptions;
  /** Epoch ms when the mirror started: the zero of record offsets and capture times. */
  t0_epoch: number;
  /** Int32Array of COUNTERS slots (see COUNTER). */
  counters: SharedArrayBuffer;
  /** Post each finished record back (MirrorOptions.onRecord). */
  records: boolean;
  /** How the threads other than the proxy's are scheduled (./thread-priority.ts). */
  background: BackgroundMode;
  /** The mirror is its process's only work (`llmload mirror`): all of its threads but the proxy's yield, not only the worker's. */
  ownProcess: boolean;
}

/** A timed request on its way to the primary; its body is transferred, not copied. */
export interface CallMessage {
  type: 'call';
  id: number;
  api: ApiKind;
  method: string;
  path: string;
  headers: HeaderMap;
  body: Uint8Array;
  arrived_epoch: number;
}

export type ToMirrorWorker =
  | CallMessage
  | { type: 'passthrough'; path: string; headers: HeaderMap }
  /** Ended answers, and (when nothing is sampled) the calls that waited for a batch: calls first. */
  | { type: 'answers'; calls?: CallMessage[]; answers: Array<{ id: number; log: StreamLog }> }
  | { type: 'close'; waitShadowMs: number };

export type FromMirrorWorker =
  | { type: 'ready' }
  | { type: 'failed'; name: string; message: string; dir?: string; files?: string[] }
  | { type: 'record'; side: Side; rec: RequestRecord }
  | { type: 'closed'; summary: MirrorSummary };

/** Slots of the shared counters. */
export const COUNTER = {
  primary: 0,
  sampled: 1,
  shadow_sent: 2,
  skipped_inflight: 3,
  skipped_tokens_per_minute: 4,
  skipped_shadow_down: 5,
  passthrough: 6,
  primary_answers: 7,
  shadow_answers: 8,
} as const;
export const COUNTERS = 9;

export function countsOf(c: Int32Array, shadow_unfinished = 0): MirrorCounts {
  const at = (i: number): number => Atomics.load(c, i);
  return {
    primary: at(COUNTER.primary),
    sampled: at(COUNTER.sampled),
    shadow_sent: at(COUNTER.shadow_sent),
    shadow_skipped: { inflight: at(COUNTER.skipped_inflight), tokens_per_minute: at(COUNTER.skipped_tokens_per_minute), shadow_down: at(COUNTER.skipped_shadow_down) },
    shadow_unfinished,
    passthrough: at(COUNTER.passthrough),
  };
}
