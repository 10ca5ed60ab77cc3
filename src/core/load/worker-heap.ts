/**
 * The heap a load thread starts with. A load thread's live heap is small (about 12 MB), so V8 sets
 * its old-generation limit low, while every request leaves some garbage there (objects of requests
 * in flight that outlived two scavenges): measured on short streams from nginx, a load thread ran
 * about 7 mark-compacts a second, and V8's helper threads spent 13–15 µs a request on them. An
 * initial old space of LOAD_THREAD_OLD_SPACE_MB lets that garbage go in far fewer collections (one
 * in a 60,000-request run; CPU per request 50 µs against 72, docs/performance.md).
 *
 * V8 flags are process-wide and read when an isolate is created, so this is set once, before the
 * first load thread starts, and applies to the threads started after it. A flag the user gave
 * (execArgv or NODE_OPTIONS) is left alone.
 */
import v8 from 'node:v8';

export const LOAD_THREAD_OLD_SPACE_MB = 64;

let applied = false;

export function sizeLoadThreadHeaps(): void {
  if (applied) return;
  applied = true;
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => a.includes('initial-old-space-size') || a.includes('initial-heap-size'));
  if (!given) v8.setFlagsFromString(`--initial-old-space-size=${LOAD_THREAD_OLD_SPACE_MB}`);
}
