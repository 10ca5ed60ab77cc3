/**
 * Picks the engine for a request among replicas (or within a P/D pool):
 * - `round-robin`: in turn;
 * - `least-loaded`: fewest requests running plus waiting (lowest index on ties);
 * - `prefix-aware`: the engine whose prefix cache holds the longest leading run of the prompt's
 *   blocks, least-loaded among equals (like llm-d's and SGLang's cache-aware routers).
 */
import type { RouterPolicy } from './cost-model';
import type { Engine } from './scheduler';

export type Router = (keys: readonly number[]) => Engine;

export function createRouter(policy: RouterPolicy, engines: readonly Engine[]): Router {
  if (engines.length === 0) throw new Error('a router needs at least one engine');
  let next = 0;
  const leastLoaded = (candidates: readonly Engine[]): Engine => {
    let best = candidates[0];
    for (const e of candidates) if (e.load < best.load) best = e;
    return best;
  };
  switch (policy) {
    case 'round-robin':
      return () => engines[next++ % engines.length];
    case 'least-loaded':
      return () => leastLoaded(engines);
    case 'prefix-aware':
      return (keys) => {
        let bestHits = -1;
        let best: Engine[] = [];
        for (const e of engines) {
          const h = e.kv.peekHits(keys);
          if (h > bestHits) {
            bestHits = h;
            best = [e];
          } else if (h === bestHits) best.push(e);
        }
        return leastLoaded(best);
      };
  }
}
