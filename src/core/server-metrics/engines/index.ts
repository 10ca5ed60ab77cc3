/**
 * The known engines, and which one an exposition comes from (the prefix most of its samples carry).
 * A new engine is a file in this folder exporting an `EngineMapping` (./types.ts) and one line in
 * ENGINES; test/unit/server-metrics-engines-registry.test.ts checks names, prefixes and detection.
 */
import type { PromSample } from '../prom-text';
import { llamacpp } from './llamacpp';
import { sglang } from './sglang';
import { tgi } from './tgi';
import type { EngineMapping } from './types';
import { vllm } from './vllm';

export type { EngineMapping } from './types';
export const ENGINES: readonly EngineMapping[] = [vllm, sglang, tgi, llamacpp];

export function detectEngine(samples: readonly PromSample[]): EngineMapping | undefined {
  let best: EngineMapping | undefined;
  let bestCount = 0;
  for (const e of ENGINES) {
    let n = 0;
    for (const s of samples) if (s.name.startsWith(e.prefix)) n++;
    if (n > bestCount) {
      best = e;
      bestCount = n;
    }
  }
  return best;
}
