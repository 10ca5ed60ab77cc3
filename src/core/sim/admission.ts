/**
 * Serving slots and batch slowdown: at most `max_concurrency` responses are served at once (the
 * rest wait in FIFO order, so TTFT grows under overload), and each stream decoding alongside others
 * is slowed by `batch_slowdown` per other stream.
 */
import type { Engine } from './responder';

export function createEngine(maxConcurrency: number, batchSlowdown: number): Engine {
  let active = 0;
  let decoding = 0;
  const queue: { start: () => void; waiting: boolean }[] = [];

  const pump = (): void => {
    while (queue.length > 0 && (maxConcurrency === 0 || active < maxConcurrency)) {
      const next = queue.shift()!;
      if (!next.waiting) continue;
      next.waiting = false;
      active++;
      next.start();
    }
  };

  return {
    admit(start) {
      const entry = { start, waiting: true };
      let released = false;
      queue.push(entry);
      pump();
      return () => {
        if (released) return;
        released = true;
        if (entry.waiting) {
          // Left the queue before being served.
          entry.waiting = false;
          const i = queue.indexOf(entry);
          if (i >= 0) queue.splice(i, 1);
          return;
        }
        active--;
        pump();
      };
    },
    slowdown: () => 1 + batchSlowdown * Math.max(0, decoding - 1),
    pressure: () => (maxConcurrency === 0 ? 0 : queue.reduce((n, e) => n + (e.waiting ? 1 : 0), 0) / maxConcurrency),
    decodingStarted: () => void decoding++,
    decodingEnded: () => void decoding--,
  };
}
