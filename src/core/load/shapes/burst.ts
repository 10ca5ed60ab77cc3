/**
 * `load burst N every D for T`: open loop, N requests released together at 0, D, 2D, ... before T.
 * The schedule is a constant rate of N per D with burst arrivals (./arrival-burst.ts), so the peak
 * rate, the thread count and sharding follow as for any open-loop shape.
 */
import type { LoadShape } from './types';

export const burstShape: LoadShape<'burst'> = {
  kind: 'burst',
  schedule: (load) => {
    const per_s = (load.size * 1000) / load.every_ms;
    return {
      kind: 'open',
      arrival: 'burst',
      burst_size: load.size,
      end_ms: load.duration_ms,
      segments: [{ start_ms: 0, end_ms: load.duration_ms, from_per_s: per_s, to_per_s: per_s }],
    };
  },
};
