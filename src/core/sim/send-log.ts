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
  private readonly entries = new Map<string, { sent: number[]; received: number | undefined }>();

  constructor(private readonly capacity: number = 1000) {}

  /**
   * Starts the record of a response, evicting the oldest one when full. `receivedMs`: when the
   * request had arrived whole (its body read), on the same clock.
   */
  open(responseId: string, receivedMs?: number): number[] {
    const sent: number[] = [];
    this.entries.delete(responseId);
    this.entries.set(responseId, { sent, received: receivedMs });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return sent;
  }

  /** The send times of a response's frames, in order; undefined when unknown or evicted. */
  get(responseId: string): number[] | undefined {
    const e = this.entries.get(responseId);
    return e ? [...e.sent] : undefined;
  }

  /**
   * When the response's request had arrived whole; undefined when unknown or evicted. The first
   * output frame's send time less this is the server's own time for that request, which a client
   * subtracts from its TTFT to get what lay between them (network, proxies, its own stack).
   */
  receivedAt(responseId: string): number | undefined {
    return this.entries.get(responseId)?.received;
  }

  get size(): number {
    return this.entries.size;
  }
}
