/**
 * One serving engine, stepped like vLLM's V1 scheduler. A step batches, within a token budget
 * (`max_num_batched_tokens`) and a sequence limit (`max_num_seqs`):
 *   1. every running request, oldest first: a decode (1 token, or 1 + k with speculation) or the
 *      next chunk of an unfinished prefill; when the KV cache has no block for it, the NEWEST
 *      running request is preempted (blocks freed, recomputed from scratch later) and counted;
 *   2. then, if nothing was preempted, waiting requests in arrival order: the prefix cache gives
 *      their leading cached blocks, and a prefill chunk of the rest goes into the step.
 * The step lasts `stepMs(cost, work)`; at its end computed prompt blocks are keyed for the prefix
 * cache, finished prefills sample their first token, decodes emit theirs, finished requests free
 * their blocks, and the next step starts at once if there is work. One clock event per step.
 */
import type { Rng } from '../random';
import type { EventClock } from './clock';
import { stepMs, type StepCost, type StepWork } from './cost-model';
import { blocksFor, KV_BLOCK_TOKENS, KvCache } from './kv-cache';
import { EngineMetrics, type EngineSnapshot } from './metrics';
import { acceptedDrafts } from './speculative';

/** Where a request's output goes. */
export interface RequestSink {
  /** `count` tokens produced now (the first call is the first token). */
  tokens(count: number): void;
  /** All tokens emitted; or the request could not be served (`error`). */
  done(error?: string): void;
}

/** A request as the engines see it; it moves from a prefill engine to a decode engine under P/D. */
export class EngineRequest {
  /** Tokens whose KV is computed on the current engine. */
  computed = 0;
  /** Tokens emitted to the client. */
  output = 0;
  blocks: number[] = [];
  /** Prompt tokens served from the prefix cache at the first lookup (reported in usage). */
  cachedTokens = 0;
  looked = false;
  /** Full prompt blocks already keyed in the prefix cache. */
  keyed = 0;
  state: 'new' | 'waiting' | 'running' | 'done' = 'new';
  cancelled = false;
  /** P/D: stop after prefill and hand the KV to a decode engine. */
  prefillOnly = false;
  /** P/D: the prompt's KV arrived from a prefill engine. */
  kvReady = false;
  promptCounted = false;
  preemptions = 0;
  enqueuedAt = 0;
  firstScheduled = NaN;
  firstToken = NaN;
  lastToken = NaN;
  engine: Engine | undefined;

  constructor(
    readonly id: number,
    readonly promptTokens: number,
    /** Prefix-cache keys of the prompt's full blocks. */
    readonly keys: readonly number[],
    readonly maxOutput: number,
    readonly arrival: number,
    readonly sink: RequestSink,
  ) {}

  /** Tokens that must be computed before the next token can be sampled. */
  get target(): number {
    return this.promptTokens + this.output;
  }
}

export interface SchedulerLimits {
  maxNumBatchedTokens: number;
  maxNumSeqs: number;
  specAcceptance: number;
}

interface Planned {
  req: EngineRequest;
  tokens: number;
  decode: boolean;
}

export class Engine {
  readonly kv: KvCache;
  readonly metrics: EngineMetrics;
  private waiting: EngineRequest[] = [];
  private running: EngineRequest[] = [];
  private busy = false;
  /** Steps run so far (for tests). */
  steps = 0;
  /** The last step's work and duration (for tests). */
  lastStep: (StepWork & { ms: number; at: number }) | undefined;
  /** Called when a prefill-only request finished its prefill (P/D hand-off). */
  onPrefilled: (req: EngineRequest) => void = () => {};

  constructor(
    readonly label: string,
    private readonly clock: EventClock,
    private readonly cost: StepCost,
    private readonly limits: SchedulerLimits,
    prefixCaching: boolean,
    private readonly rng: Rng,
  ) {
    this.kv = new KvCache(cost.kvBlocks, prefixCaching);
    this.metrics = new EngineMetrics(cost.specTokens);
  }

  get numRunning(): number {
    return this.running.length;
  }
  get numWaiting(): number {
    return this.waiting.length;
  }
  /** Requests on this engine (the least-loaded router's measure). */
  get load(): number {
    return this.running.length + this.waiting.length;
  }

  snapshot(): EngineSnapshot {
    return { label: this.label, running: this.running.length, waiting: this.waiting.length, kvUsage: this.kv.usage(), metrics: this.metrics };
  }

  add(req: EngineRequest): void {
    req.engine = this;
    req.state = 'waiting';
    req.enqueuedAt = this.clock.now();
    req.firstScheduled = NaN;
    req.computed = 0;
    req.blocks = [];
    req.keyed = 0;
    this.waiting.push(req);
    this.kick();
  }

  /** The client went away: the request leaves the queue or the batch and frees its blocks. */
  cancel(req: EngineRequest): void {
    if (req.state === 'done' || req.engine !== this) return;
    req.cancelled = true;
    this.remove(req);
  }

  private remove(req: EngineRequest): void {
    const list = req.state === 'running' ? this.running : this.waiting;
    const i = list.indexOf(req);
    if (i >= 0) list.splice(i, 1);
    this.kv.release(req.blocks);
    req.blocks = [];
    req.state = 'done';
  }

  private kick(): void {
    if (this.busy) return;
    this.busy = true;
    this.clock.at(this.clock.now(), () => this.step());
  }

  private step(): void {
    const start = this.clock.now();
    const plan = this.schedule();
    if (plan.length === 0) {
      this.busy = false;
      return;
    }
    const work: StepWork = { prefillTokens: 0, decodeSeqs: 0, contextTokens: 0 };
    for (const p of plan) {
      if (p.decode) work.decodeSeqs++;
      else work.prefillTokens += p.tokens;
      work.contextTokens += p.req.computed + p.tokens;
    }
    const ms = stepMs(this.cost, work);
    this.steps++;
    this.lastStep = { ...work, ms, at: start };
    this.clock.at(start + ms, () => {
      this.finish(plan);
      this.step();
    });
  }

  private schedule(): Planned[] {
    const plan: Planned[] = [];
    let budget = this.limits.maxNumBatchedTokens;
    let preempted = false;
    const k = this.cost.specTokens;

    for (let i = 0; i < this.running.length && budget > 0; i++) {
      const r = this.running[i];
      const remaining = r.target - r.computed;
      const decode = remaining <= 1 && r.output > 0;
      const tokens = decode ? 1 + k : Math.min(remaining, budget);
      const need = blocksFor(r.computed + tokens) - r.blocks.length;
      let got = this.kv.allocate(need);
      let alone = false;
      while (!got) {
        const victim = this.running[this.running.length - 1];
        if (victim === r && this.running.length === 1) {
          alone = true;
          break;
        }
        this.preempt(victim);
        preempted = true;
        if (victim === r) break;
        got = this.kv.allocate(need);
      }
      if (alone) {
        // Alone and still too big for the whole cache: end it here (as a length limit would); the
        // waiting requests get the room.
        this.finishRequest(r);
        preempted = false;
        break;
      }
      if (!got) break;
      r.blocks.push(...got);
      plan.push({ req: r, tokens, decode });
      budget -= tokens;
    }

    while (!preempted && this.waiting.length > 0 && budget > 0 && this.running.length < this.limits.maxNumSeqs) {
      const r = this.waiting[0];
      let hits: number[] = [];
      if (r.kvReady) {
        // P/D: the prompt's KV came from the prefill engine; only the first token remains to sample.
        r.computed = r.promptTokens - 1;
      } else {
        hits = this.kv.acquireHits(r.keys, Math.floor((r.target - 1) / KV_BLOCK_TOKENS));
        r.computed = hits.length * KV_BLOCK_TOKENS;
      }
      const remaining = r.target - r.computed;
      const decode = r.kvReady;
      const tokens = decode ? 1 : Math.min(remaining, budget);
      const got = this.kv.allocate(blocksFor(r.computed + tokens) - hits.length);
      if (!got) {
        this.kv.release(hits);
        r.computed = 0;
        break;
      }
      if (!r.kvReady) {
        this.metrics.prefixQueries += r.promptTokens;
        this.metrics.prefixHits += r.computed;
        if (!r.looked) r.cachedTokens = r.computed;
      }
      r.looked = true;
      r.keyed = hits.length;
      r.blocks = [...hits, ...got];
      this.waiting.shift();
      this.running.push(r);
      r.state = 'running';
      if (Number.isNaN(r.firstScheduled)) {
        r.firstScheduled = this.clock.now();
        this.metrics.queue.observe((r.firstScheduled - r.enqueuedAt) / 1000);
      }
      plan.push({ req: r, tokens, decode });
      budget -= tokens;
    }
    return plan;
  }

  private preempt(victim: EngineRequest): void {
    this.running.pop();
    this.kv.release(victim.blocks);
    victim.blocks = [];
    victim.computed = 0;
    victim.keyed = 0;
    victim.state = 'waiting';
    victim.preemptions++;
    this.metrics.preemptions++;
    this.waiting.unshift(victim);
  }

  private finish(plan: Planned[]): void {
    const k = this.cost.specTokens;
    for (const p of plan) {
      const r = p.req;
      if (r.cancelled || r.state !== 'running' || r.engine !== this) continue;
      if (p.decode) {
        const acc = k > 0 ? acceptedDrafts(this.rng, k, this.limits.specAcceptance) : 0;
        if (k > 0) {
          this.metrics.specDrafts++;
          this.metrics.specDraftTokens += k;
          this.metrics.specAccepted += acc;
          for (let i = 0; i < acc; i++) this.metrics.specAcceptedPerPos[i]++;
        }
        r.computed += 1 + acc;
        this.emit(r, Math.min(1 + acc, r.maxOutput - r.output));
        continue;
      }
      r.computed += p.tokens;
      // Key the prompt blocks that are now full, for later requests with the same prefix.
      const full = Math.min(Math.floor(Math.min(r.computed, r.promptTokens) / KV_BLOCK_TOKENS), r.keys.length);
      for (; r.keyed < full; r.keyed++) this.kv.register(r.blocks[r.keyed], r.keys[r.keyed]);
      if (r.computed < r.target) continue;
      if (!r.promptCounted) {
        r.promptCounted = true;
        this.metrics.promptTokens += r.promptTokens;
      }
      if (r.prefillOnly) {
        this.metrics.prefill.observe((this.clock.now() - r.firstScheduled) / 1000);
        this.remove(r);
        this.onPrefilled(r);
        continue;
      }
      this.emit(r, 1);
    }
  }

  private emit(r: EngineRequest, count: number): void {
    const now = this.clock.now();
    if (r.output === 0) {
      r.firstToken = now;
      this.metrics.ttft.observe((now - r.arrival) / 1000);
      this.metrics.prefill.observe((now - r.firstScheduled) / 1000);
    } else {
      this.metrics.itl.observe((now - r.lastToken) / 1000);
    }
    r.lastToken = now;
    r.output += count;
    this.metrics.generationTokens += count;
    r.sink.tokens(count);
    if (r.output >= r.maxOutput && r.state === 'running') this.finishRequest(r);
  }

  private finishRequest(r: EngineRequest): void {
    const now = this.clock.now();
    this.remove(r);
    const m = this.metrics;
    m.requestsFinished++;
    m.e2e.observe((now - r.arrival) / 1000);
    if (!Number.isNaN(r.firstToken)) {
      m.decode.observe((r.lastToken - r.firstToken) / 1000);
      m.inference.observe((r.lastToken - r.firstScheduled) / 1000);
    }
    r.sink.done();
  }
}
