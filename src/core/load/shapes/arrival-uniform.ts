/** Uniform arrivals: one lands each time the rate's cumulative expected count crosses an integer. */
import type { ArrivalProcess } from './types';

export const uniformArrivals: ArrivalProcess = {
  first: () => 0,
  next: () => 1,
};
