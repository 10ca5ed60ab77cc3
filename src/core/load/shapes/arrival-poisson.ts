/**
 * Poisson arrivals: gaps of Exp(1) expected arrivals, i.e. a time-varying Poisson process by
 * inversion of the rate's cumulative expected count.
 */
import type { ArrivalProcess } from './types';

export const poissonArrivals: ArrivalProcess = {
  first: (random) => -Math.log(1 - random()),
  next: (random) => -Math.log(1 - random()),
};
