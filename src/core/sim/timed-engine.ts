/**
 * The fast profiles' engine: a response waits for a serving slot (admission.ts), then for its
 * planned prefill time, then each chunk is due after its decode delay, slowed by the streams
 * decoding alongside it. Timers only (never a busy loop). It also keeps the counts of its minimal
 * /metrics (metrics-text.ts) and the prefix cache of the profiles that turn it on.
 */
import { createEngine } from './admission';
import { metricsText, type SimMetrics } from './metrics-text';
import { PrefixCache } from './prefix-cache';
import type { SimProfile } from './profiles';
import { Timers, type SimEngine } from './sim-engine';

const now = (): number => performance.now();

export function createTimedEngine(profile: SimProfile): SimEngine {
  const slots = createEngine(profile.max_concurrency, profile.batch_slowdown);
  const prefixCache = new PrefixCache();
  const m: SimMetrics = { running: 0, waiting: 0, requests: 0, prompt_tokens: 0, generation_tokens: 0 };

  return {
    promptError: () => undefined,
    prefix: (promptText, promptTokens, p) => ({ cachedTokens: p.prefix_caching ? prefixCache.lookupAndInsert(promptText, promptTokens) : 0 }),
    planningProfile: (p) => p,
    pressure: () => slots.pressure(),
    metricsText: (model) => metricsText(m, model),
    stop: () => undefined,

    serve(job, events) {
      const { gen } = job;
      const chunks = gen.chunks;
      const timers = new Timers();
      let halted = false;
      let decoding = false;
      let next = 0;
      // Absolute due time of the next chunk: timers fire late by up to a millisecond or so, and
      // scheduling against the due time (not "delay after the last send") keeps that from adding up,
      // so the average rate is the profile's. Chunks already due go out in the same turn.
      let due = 0;

      const firstToken = (): void => {
        decoding = true;
        slots.decodingStarted();
        events.firstToken();
      };
      const pump = (): void => {
        while (!timers.done && !halted) {
          if (next >= chunks.length) {
            events.done();
            return;
          }
          events.chunks(1);
          next++;
          if (halted) return;
          if (next < chunks.length) {
            due += chunks[next].delayMs * slots.slowdown();
            const wait = due - now();
            if (wait > 0.5) {
              timers.later(wait, pump);
              return;
            }
          }
        }
      };

      // The /metrics counts: waiting for a slot, then running in one until the response is over.
      let state: 'waiting' | 'running' | 'done' = 'waiting';
      m.waiting++;
      const release = slots.admit(() => {
        if (state !== 'waiting') return;
        state = 'running';
        m.waiting--;
        m.running++;
        m.prompt_tokens += gen.promptTokens;
        if (job.streaming) {
          timers.later(gen.prefillMs, () => {
            firstToken();
            due = now() + (chunks[0]?.delayMs ?? 0);
            if (chunks.length > 0 && chunks[0].delayMs > 0.5) timers.later(chunks[0].delayMs, pump);
            else pump();
          });
          return;
        }
        const decodeMs = chunks.reduce((sum, c) => sum + c.delayMs, 0) * slots.slowdown();
        timers.later(gen.prefillMs, () => {
          firstToken();
          timers.later(decodeMs, () => {
            events.chunks(chunks.length);
            events.done();
          });
        });
      });

      return {
        cachedTokens: gen.cachedTokens,
        // A stream stopped by a fault holds its slot until the response is over (a stalled stream keeps it).
        halt: () => void (halted = true),
        cancel() {
          if (!timers.clear()) return;
          if (state === 'waiting') m.waiting--;
          else if (state === 'running') {
            m.running--;
            m.requests++;
            m.generation_tokens += job.plannedOutputTokens;
          }
          state = 'done';
          release();
          if (decoding) slots.decodingEnded();
          decoding = false;
        },
      };
    },
  };
}
