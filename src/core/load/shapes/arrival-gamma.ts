/**
 * Gamma arrivals, as vLLM's `--burstiness`: gaps drawn from Gamma(shape k, scale 1/k) expected
 * arrivals, so the mean gap keeps the rate and the gaps' CV^2 is 1/k. k = 1 is Poisson; below 1
 * arrivals bunch up (bursts and lulls), above 1 they spread towards an even pace.
 */
import { gammaSample } from '../../sim/gamma-sampler';
import type { ArrivalOptions, ArrivalProcess } from './types';

function gap(random: () => number, o?: ArrivalOptions): number {
  const k = o?.burstiness;
  if (k === undefined) throw new Error('gamma arrivals need a burstiness (the gamma shape) in the schedule');
  return gammaSample(k, random) / k;
}

export const gammaArrivals: ArrivalProcess = {
  first: gap,
  next: gap,
};
