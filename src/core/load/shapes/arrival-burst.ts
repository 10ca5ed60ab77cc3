/**
 * Burst arrivals: `burst_size` arrivals released together each time the rate's cumulative expected
 * count reaches a whole multiple of the size, the first at the start. Under a constant rate of
 * size/period that is one burst every period, at 0, period, 2 periods, ...
 */
import type { ArrivalOptions, ArrivalProcess } from './types';

function size(o?: ArrivalOptions): number {
  const n = o?.burst_size;
  if (n === undefined || !(n >= 1)) throw new Error(`burst arrivals need a burst size of at least 1 in the schedule, got ${n}`);
  return n;
}

export const burstArrivals: ArrivalProcess = {
  first: () => 0,
  next: (_random, o) => size(o),
  size,
};
