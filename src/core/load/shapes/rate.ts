/** `load rate R/s` (or qpm) `for D`: a constant open-loop arrival rate, Poisson, uniform or gamma. */
import type { LoadShape } from './types';

export const rateShape: LoadShape<'rate'> = {
  kind: 'rate',
  schedule: (load) => ({
    kind: 'open',
    arrival: load.arrival,
    ...(load.burstiness !== undefined ? { burstiness: load.burstiness } : {}),
    end_ms: load.duration_ms,
    segments: [{ start_ms: 0, end_ms: load.duration_ms, from_per_s: load.per_s, to_per_s: load.per_s }],
  }),
};
