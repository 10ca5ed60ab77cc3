/**
 * The load shapes by `load` kind and the open-loop arrival processes by name. A new shape is a file
 * in this folder implementing `LoadShape` (./types.ts) and one line here; see docs/architecture.md.
 */
import type { LoadPlan } from '../../scenario/plan';
import { burstArrivals } from './arrival-burst';
import { gammaArrivals } from './arrival-gamma';
import { poissonArrivals } from './arrival-poisson';
import { uniformArrivals } from './arrival-uniform';
import { rateShape } from './rate';
import { replayShape } from './replay';
import { burstShape } from './burst';
import { stagesShape } from './stages';
import { stepShape } from './step';
import { sweepShape } from './sweep';
import type { ArrivalProcess, LoadShape, OpenLoopSchedule, Schedule, ShapeContext } from './types';
import { usersShape } from './users';

export const LOAD_SHAPES: { readonly [K in LoadPlan['kind']]: LoadShape<K> } = {
  users: usersShape,
  step: stepShape,
  stages: stagesShape,
  rate: rateShape,
  replay: replayShape,
  burst: burstShape,
  sweep: sweepShape,
};

export const ARRIVALS: { readonly [K in OpenLoopSchedule['arrival']]: ArrivalProcess } = {
  uniform: uniformArrivals,
  poisson: poissonArrivals,
  gamma: gammaArrivals,
  burst: burstArrivals,
};

/** The schedule of a load plan, made by its shape. */
export function shapeSchedule(load: LoadPlan, ctx: ShapeContext): Schedule {
  return (LOAD_SHAPES[load.kind] as LoadShape).schedule(load as never, ctx);
}

export { replaySchedule } from './replay';
export type * from './types';
