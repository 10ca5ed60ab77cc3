/**
 * A deployment of engines on one discrete-event clock: `replicas` engines behind a router, or,
 * with P/D separation, a prefill pool and a decode pool. Under P/D a request is prefilled on a
 * prefill engine (its prompt only), its KV cache crosses to a decode engine (a fixed latency plus a
 * time per token), and it decodes there; decode steps then never carry prefill chunks.
 * `submit` is the only way in; `cancel` takes a request out wherever it is.
 */
import { createRng, hashString } from '../random';
import { EventClock, type WakeTimer } from './clock';
import { resolveCost, type EngineSpec, type StepCost } from './cost-model';
import { blocksFor } from './kv-cache';
import { renderPrometheus } from './metrics';
import { createRouter, type Router } from './router';
import { Engine, EngineRequest, type RequestSink } from './scheduler';

export interface SubmitOptions {
  promptTokens: number;
  /** Prefix-cache keys of the prompt's full blocks (see blockKeys). */
  keys: readonly number[];
  /** Output tokens to generate (at least 1). */
  maxOutput: number;
  sink: RequestSink;
}

export interface Submitted {
  /** Prompt tokens served from the prefix cache (known once the request is first scheduled). */
  readonly cachedTokens: number;
  readonly preemptions: number;
  cancel(): void;
}

export class Deployment {
  readonly clock: EventClock;
  readonly cost: StepCost;
  /** Every engine, in exposition order. */
  readonly engines: Engine[];
  readonly prefillPool: Engine[];
  readonly decodePool: Engine[];
  private readonly route: Router;
  private readonly routeDecode: Router | undefined;
  private ids = 0;
  private readonly prefixCaching: boolean;
  /** KV transfers in flight (P/D). */
  transfers = 0;

  constructor(
    readonly spec: EngineSpec,
    timer: WakeTimer,
    opts: { seed?: number; prefixCaching?: boolean } = {},
  ) {
    const seed = opts.seed ?? 1;
    this.prefixCaching = opts.prefixCaching ?? true;
    this.clock = new EventClock(timer);
    this.cost = resolveCost(spec);
    if (this.cost.kvBlocks < 1) throw new Error('the KV cache has no room: the weights do not fit; raise tp or quantize');
    const limits = { maxNumBatchedTokens: spec.max_num_batched_tokens, maxNumSeqs: spec.max_num_seqs, specAcceptance: spec.spec_acceptance };
    const make = (label: string): Engine =>
      new Engine(label, this.clock, this.cost, limits, opts.prefixCaching ?? true, createRng(hashString(`engine|${seed}|${label}`)));
    if (spec.pd_prefill > 0 && spec.pd_decode > 0) {
      this.prefillPool = Array.from({ length: spec.pd_prefill }, (_, i) => make(`prefill-${i}`));
      this.decodePool = Array.from({ length: spec.pd_decode }, (_, i) => make(`decode-${i}`));
      this.engines = [...this.prefillPool, ...this.decodePool];
      this.route = createRouter(spec.router, this.prefillPool);
      this.routeDecode = createRouter(spec.router === 'prefix-aware' ? 'least-loaded' : spec.router, this.decodePool);
      for (const e of this.prefillPool) e.onPrefilled = (r) => this.transfer(r);
    } else {
      this.engines = Array.from({ length: spec.replicas }, (_, i) => make(String(i)));
      this.prefillPool = this.engines;
      this.decodePool = this.engines;
      this.route = createRouter(spec.router, this.engines);
    }
  }

  /** The longest prompt one engine can hold (with one output token). */
  get maxPromptTokens(): number {
    return this.cost.kvBlocks * 16 - 1;
  }

  /** Prompt tokens the best engine's prefix cache holds now (a forecast for the opening frames). */
  peekCachedTokens(keys: readonly number[], promptTokens: number): number {
    if (!this.prefixCaching) return 0;
    let best = 0;
    for (const e of this.prefillPool) best = Math.max(best, e.kv.peekHits(keys));
    return Math.max(0, Math.min(best * 16, promptTokens - 1));
  }

  submit(o: SubmitOptions): Submitted {
    const req = new EngineRequest(++this.ids, o.promptTokens, o.keys, Math.max(1, o.maxOutput), this.clock.now(), o.sink);
    if (blocksFor(o.promptTokens + 1) > this.cost.kvBlocks) {
      req.state = 'done';
      o.sink.done(`prompt of ${o.promptTokens} tokens does not fit the KV cache of ${this.cost.kvBlocks * 16} tokens`);
    } else {
      req.prefillOnly = this.routeDecode !== undefined;
      this.route(o.keys).add(req);
    }
    return {
      get cachedTokens() {
        return req.cachedTokens;
      },
      get preemptions() {
        return req.preemptions;
      },
      cancel: () => {
        req.cancelled = true;
        req.engine?.cancel(req);
      },
    };
  }

  private transfer(req: EngineRequest): void {
    this.transfers++;
    const ms = this.spec.kv_transfer_ms + (this.spec.kv_transfer_token_us * req.promptTokens) / 1000;
    this.clock.at(this.clock.now() + ms, () => {
      this.transfers--;
      if (req.cancelled) return;
      req.prefillOnly = false;
      req.kvReady = true;
      this.routeDecode!(req.keys).add(req);
    });
  }

  metricsText(modelName: string): string {
    return renderPrometheus(
      modelName,
      this.engines.map((e) => e.snapshot()),
    );
  }

  stop(): void {
    this.clock.stop();
  }
}
