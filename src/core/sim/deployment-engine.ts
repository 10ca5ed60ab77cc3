/**
 * The engine profiles' engine: each response is submitted to the step-by-step engine model
 * (engine/deployment.ts), and each time a step emits tokens for it (one, or several with
 * speculative decoding) those planned chunks are due at once. No timer per stream or token: the
 * deployment's one clock drives every response. The slow_ttft fault delays the submission.
 */
import { realTimer } from './engine/clock';
import type { EngineSpec } from './engine/cost-model';
import { Deployment, type Submitted } from './engine/deployment';
import { blockHashes } from './prefix-cache';
import { Timers, type SimEngine } from './sim-engine';

export function createDeploymentEngine(spec: EngineSpec, seed: number, prefixCaching: boolean): SimEngine {
  const deployment = new Deployment(spec, realTimer(), { seed, prefixCaching });

  return {
    promptError(promptTokens) {
      if (promptTokens <= deployment.maxPromptTokens) return undefined;
      return `This model's KV cache holds ${deployment.maxPromptTokens + 1} tokens; the prompt has ${promptTokens}. Shorten the prompt.`;
    },
    // The engine finds cached blocks when it schedules the request; this is the forecast for the opening frames.
    prefix(promptText, promptTokens) {
      const keys = blockHashes(promptText);
      return { cachedTokens: deployment.peekCachedTokens(keys, promptTokens), keys };
    },
    planningProfile: (p) => ({ ...p, tokens_per_chunk: 1 }),
    /** Requests waiting per running request, over every engine of the deployment. */
    pressure() {
      let waiting = 0;
      let running = 0;
      for (const e of deployment.engines) {
        waiting += e.numWaiting;
        running += e.numRunning;
      }
      return waiting / Math.max(1, running);
    },
    metricsText: (model) => deployment.metricsText(model),
    stop: () => deployment.stop(),

    serve(job, events) {
      const { gen, fault } = job;
      const timers = new Timers();
      let submitted: Submitted | undefined;
      let first = true;
      const submit = (): void => {
        submitted = deployment.submit({
          promptTokens: gen.promptTokens,
          keys: gen.promptKeys ?? [],
          maxOutput: Math.max(1, gen.chunks.length),
          sink: {
            tokens(count) {
              if (first) {
                first = false;
                events.firstToken();
              }
              events.chunks(count);
            },
            done: (error) => events.done(error),
          },
        });
      };
      if (fault?.kind === 'slow_ttft') timers.later(fault.arg ?? job.profile.slow_ttft_ms, submit);
      else submit();
      return {
        get cachedTokens() {
          return submitted?.cachedTokens ?? 0;
        },
        halt: () => submitted?.cancel(),
        cancel() {
          timers.clear();
          submitted?.cancel();
        },
      };
    },
  };
}
