/**
 * The simulator's record of when it sent each frame of each response, in wall-clock milliseconds
 * with sub-millisecond precision (performance.timeOrigin + performance.now()), so tests can compare
 * the client's arrival times with the server's send times. Memory is bounded: only the last
 * `capacity` responses are kept.
 */
import { performance } from 'node:perf_hooks';

export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

export class SendLog {
  private readonly entries = new Map<string, number[]>();

  constructor(private readonly capacity: number = 1000) {}

  /** Starts the record of a response, evicting the oldest one when full. */
  open(responseId: string): number[] {
    const times: number[] = [];
    this.entries.delete(responseId);
    this.entries.set(responseId, times);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return times;
  }

  /** The send times of a response's frames, in order; undefined when unknown or evicted. */
  get(responseId: string): number[] | undefined {
    const times = this.entries.get(responseId);
    return times ? [...times] : undefined;
  }

  get size(): number {
    return this.entries.size;
  }
}
