/**
 * Serving slots and batch slowdown: at most `max_concurrency` responses are served at once (the
 * rest wait in FIFO order, so TTFT grows under overload), and each stream decoding alongside others
 * is slowed by `batch_slowdown` per other stream.
 */

/** The serving slots of the fast profiles (timed-engine.ts). */
export interface SlotQueue {
  /** Calls `start` when a serving slot is free; the returned function releases the slot (or leaves the queue). */
  admit(start: () => void): () => void;
  /** Decode-delay multiplier given how many streams decode now. */
  slowdown(): number;
  decodingStarted(): void;
  decodingEnded(): void;
  /** Requests waiting for a serving slot now, per slot (0 when none wait; 1 or more when as many wait as there are slots). */
  pressure(): number;
}

export function createEngine(maxConcurrency: number, batchSlowdown: number): SlotQueue {
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
