/**
 * `threads N` or `threads auto`: how many load threads the client runs (each an event loop with
 * its own connections). Absent or `auto`: sized from the load (src/core/run/thread-sizing.ts).
 * `thread_priority high`: the load threads run at a higher CPU priority (src/core/load/thread-priority.ts).
 */
import type { ParseCore } from '../parse-core';
import type { Resolution } from '../resolve-core';
import type { RawLine } from '../structure';
import type { ThreadPriorityNode, ThreadsNode } from '../tree';
import type { BlockModule } from './block';

/** More load threads than this is a slip (a user count written as threads), not a plan. */
export const MAX_THREADS = 256;

const USAGE = 'threads N (load threads, e.g. threads 2) or threads auto (sized from the load, the default)';

export function parseThreads(p: ParseCore, rl: RawLine): ThreadsNode {
  p.noBlock(rl);
  const node: ThreadsNode = { kind: 'threads', ...p.base(rl) };
  const t = rl.lex.tokens[1];
  if (t && !t.quoted && t.value === 'auto') {
    if (!p.extra(rl, 2, USAGE)) node.auto = true;
    return node;
  }
  if (t && !t.quoted && !/^[0-9]/.test(t.value)) {
    p.extra(rl, 1, USAGE, ['auto']);
    return node;
  }
  const q = p.quantity(rl, 1, 'integer', 'the number of load threads', `write ${USAGE}`);
  const b = p.bounded(q.q, 'threads', 1, MAX_THREADS);
  if (!p.extra(rl, q.next, USAGE) && b) node.count = b;
  return node;
}

/** The plan's `threads`: a count, or undefined for auto (no line, or `threads auto`). */
export function resolveThreads(r: Resolution): number | undefined {
  return r.only('threads')?.count?.value;
}

const PRIORITY_USAGE = 'thread_priority high (the load threads before other processes on the cores; needs root or CAP_SYS_NICE) or thread_priority normal (the default)';

export function parseThreadPriority(p: ParseCore, rl: RawLine): ThreadPriorityNode {
  p.noBlock(rl);
  const node: ThreadPriorityNode = { kind: 'thread_priority', ...p.base(rl) };
  const word = p.choice(rl, ['high', 'normal'], PRIORITY_USAGE);
  if (word) node.high = word === 'high';
  return node;
}

/** The plan's `thread_priority`: 'high', or undefined for the normal priority (no line, or `thread_priority normal`). */
export function resolveThreadPriority(r: Resolution): 'high' | undefined {
  return r.only('thread_priority')?.high === true ? 'high' : undefined;
}

export const clientThreads: BlockModule = {
  directives: {
    thread_priority: {
      doc: 'CPU priority of the load threads: thread_priority high stamps packets on time when a server or other processes share the cores (needs root or CAP_SYS_NICE; the run says if it was not permitted), thread_priority normal (default)',
      parse: parseThreadPriority,
    },
    threads: { doc: 'Load threads of the client: threads 2, or threads auto (the default: sized from users, rate and answer lengths, leaving a core to a server on this machine)', parse: parseThreads },
  },
};
