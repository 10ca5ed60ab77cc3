/** Run plans built in code, for tests that exercise the engine without the scenario parser. */
import type { RunPlan } from '../../src/core/scenario/plan';

export function plan(over: Partial<RunPlan> = {}): RunPlan {
  return {
    scenario: 'test run',
    file: '',
    target: { kind: 'builtin', profile: 'reasoning' },
    api: 'openai-chat',
    model: 'sim-reasoner',
    timeouts: { total_ms: 30_000 },
    headers: {},
    prompts: [
      { name: 'short', weight: 3, messages: [{ role: 'user', content: 'What is the capital of France?' }], params: { max_tokens: 128 } },
      { name: 'long', weight: 1, messages: [{ role: 'user', content: 'Explain why the sky is blue.' }], params: { max_tokens: 400 } },
    ],
    load: { kind: 'step', start: 2, add: 2, every_ms: 200, max: 6, hold_ms: 1000 },
    think_ms: 0,
    buckets: [],
    trace: { mode: 'first', n: 200 },
    expectations: [],
    datasets: [],
    seed: 1,
    ...over,
  };
}
