/**
 * What the mirror's proxy (./proxy.ts, ./relay-connection.ts) tells its hooks (./session.ts) of
 * each request, and what the hooks plan for it.
 */
import type { ApiKind } from '../scenario/plan';
import type { HeaderMap } from './secrets';
import type { StreamLog } from './stream-log';

export interface IncomingCall {
  method: string;
  path: string;
  headers: HeaderMap;
  body: Buffer;
  /** performance.now() when the body was in. */
  arrived: number;
}

export interface CallPlan {
  /** The API whose decoder times the primary's answer; undefined: passed through untimed. */
  api?: ApiKind;
  /** Run once the primary request is on its socket (it hands the request to the worker); before `done` when it never got there. */
  after?(): void;
  /** Called with the primary's answer as it arrived once it ended (or failed, or was cancelled); timed APIs only. */
  done?(log: StreamLog): void;
}

export interface ProxyHooks {
  begin(call: IncomingCall): CallPlan;
}
