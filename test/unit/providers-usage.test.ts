// Output tokens follow each provider's convention for completion_tokens vs reasoning_tokens:
// OpenAI, DeepSeek, OpenRouter, vLLM, SGLang, llama.cpp, Ollama, Mistral and Anthropic count
// reasoning inside completion_tokens; xAI counts it apart (total = prompt + completion +
// reasoning); Gemini's OpenAI-compatible endpoint leaves hidden thoughts out of completion_tokens
// but in total_tokens. The convention is read from the numbers, with the client's own answer
// packets as the last check (usage-convention.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completionWithReasoning } from '../../src/core/protocols/usage-convention';
import { readUsage } from '../../src/core/protocols/openai-common';
import { buildRecord } from '../../src/core/metrics/record';
import type { StreamResult } from '../../src/core/protocols/types';

// [provider, the usage object as the provider sends it, output tokens, reasoning tokens]
const CASES: [string, Record<string, unknown>, number, number | undefined][] = [
  ['OpenAI o-series (reasoning inside)', { prompt_tokens: 20, completion_tokens: 150, total_tokens: 170, completion_tokens_details: { reasoning_tokens: 128 } }, 150, 128],
  ['OpenAI, cut at max_tokens while thinking (reasoning = completion)', { prompt_tokens: 5, completion_tokens: 100, total_tokens: 105, completion_tokens_details: { reasoning_tokens: 100 } }, 100, 100],
  ['OpenAI Responses (output_tokens)', { input_tokens: 20, output_tokens: 150, total_tokens: 170, output_tokens_details: { reasoning_tokens: 128 } }, 150, 128],
  ['xAI grok (reasoning apart)', { prompt_tokens: 14, completion_tokens: 9, total_tokens: 312, completion_tokens_details: { reasoning_tokens: 289 } }, 298, 289],
  ['xAI grok, long answer (reasoning < completion, the total tells)', { prompt_tokens: 14, completion_tokens: 400, total_tokens: 514, completion_tokens_details: { reasoning_tokens: 100 } }, 500, 100],
  ['xAI grok, reasoning = completion (the total tells)', { prompt_tokens: 10, completion_tokens: 50, total_tokens: 110, completion_tokens_details: { reasoning_tokens: 50 } }, 100, 50],
  ['xAI grok, no total (reasoning > completion)', { prompt_tokens: 15, completion_tokens: 1, completion_tokens_details: { reasoning_tokens: 290 } }, 291, 290],
  ['DeepSeek-R1 (reasoning inside)', { prompt_tokens: 13, completion_tokens: 120, total_tokens: 133, completion_tokens_details: { reasoning_tokens: 100 }, prompt_cache_hit_tokens: 0 }, 120, 100],
  ['Gemini OpenAI-compat, hidden thoughts only in total', { prompt_tokens: 8, completion_tokens: 15, total_tokens: 520 }, 512, 497],
  ['Gemini OpenAI-compat, thoughts given apart', { prompt_tokens: 8, completion_tokens: 15, total_tokens: 520, completion_tokens_details: { reasoning_tokens: 497 } }, 512, 497],
  ['OpenRouter (normalized to OpenAI)', { prompt_tokens: 11, completion_tokens: 95, total_tokens: 106, completion_tokens_details: { reasoning_tokens: 80 }, cost: 0.0002 }, 95, 80],
  ['vLLM without a reasoning count', { prompt_tokens: 14, completion_tokens: 31, total_tokens: 45 }, 31, undefined],
  ['vLLM with a reasoning count (inside)', { prompt_tokens: 72, completion_tokens: 46, total_tokens: 118, completion_tokens_details: { reasoning_tokens: 30 } }, 46, 30],
  ['SGLang', { prompt_tokens: 10, completion_tokens: 62, total_tokens: 72, prompt_tokens_details: null }, 62, undefined],
  ['llama.cpp', { completion_tokens: 16, prompt_tokens: 10, total_tokens: 26 }, 16, undefined],
  ['Mistral Magistral', { prompt_tokens: 10, total_tokens: 95, completion_tokens: 85 }, 85, undefined],
  ['Anthropic (output_tokens include thinking, no total)', { input_tokens: 40, output_tokens: 212, cache_read_input_tokens: 0 }, 212, undefined],
  ['Anthropic with output_tokens_details.thinking_tokens (a part)', { input_tokens: 40, output_tokens: 212, output_tokens_details: { thinking_tokens: 150 } }, 212, 150],
  ['Groq x_groq.usage', { queue_time: 0.02, prompt_tokens: 40, completion_tokens: 6, total_tokens: 46 }, 6, undefined],
  ['reasoning_tokens 0', { prompt_tokens: 3, completion_tokens: 7, total_tokens: 10, completion_tokens_details: { reasoning_tokens: 0 } }, 7, 0],
];

test('readUsage: completion_tokens counts the reasoning tokens whatever the provider convention', () => {
  for (const [name, usage, output, reasoning] of CASES) {
    const u = readUsage(usage);
    assert.equal(u.completion_tokens, output, name);
    assert.equal(u.reasoning_tokens, reasoning, name);
  }
});

test('records: output_tokens and thinking_tokens per provider convention, from the server', () => {
  for (const [name, usage, output, reasoning] of CASES) {
    const s: StreamResult = {
      http_status: 200,
      packets: [
        { t_ms: 10, kind: 'answer', bytes: 10, text: 'a' },
        { t_ms: 20, kind: 'done', bytes: 6, text: '' },
      ],
      end_ms: 20,
      answer_text: 'a',
      thinking_text: '',
      answer_chunks: 1,
      thinking_chunks: 0,
      finish_reason: 'stop',
      usage: readUsage(usage),
      complete: true,
    };
    const rec = buildRecord(s, { id: 1, prompt: 'p', user: 0, start_ms: 0, offset_ms: 0 });
    assert.equal(rec.output_tokens, output, name);
    assert.equal(rec.output_tokens_source, 'server');
    assert.equal(rec.thinking_tokens, reasoning ?? 0, name);
    assert.equal(rec.thinking_tokens_source, reasoning === undefined ? 'packets' : 'server', name);
  }
});

test('the total decides when it fits one convention; a total that fits neither is ignored', () => {
  assert.deepEqual(completionWithReasoning(10, 50, 20, 60), { completion: 50, reasoning: 20 }); // inside
  assert.deepEqual(completionWithReasoning(10, 50, 20, 80), { completion: 70, reasoning: 20 }); // apart
  assert.deepEqual(completionWithReasoning(10, 50, 20, 999), { completion: 50, reasoning: 20 }); // neither: as given
  assert.deepEqual(completionWithReasoning(undefined, 50, 20, 80), { completion: 50, reasoning: 20 }); // no prompt count: total unusable
  assert.deepEqual(completionWithReasoning(10, 50, undefined, 40), { completion: 50, reasoning: undefined }); // total below: as given
  assert.deepEqual(completionWithReasoning(10, 5, 9, undefined), { completion: 14, reasoning: 9 }); // reasoning > completion
});

test('no total that fits, reasoning <= completion: the answer packets the client saw decide', () => {
  // completion - reasoning = 10 answer tokens: 25 answer packets cannot fit, so completion was the answer alone
  assert.deepEqual(completionWithReasoning(undefined, 40, 30, undefined, 25), { completion: 70, reasoning: 30 });
  // 5 or 10 answer packets fit in 10 answer tokens: completion held the reasoning (OpenAI's convention)
  assert.deepEqual(completionWithReasoning(undefined, 40, 30, undefined, 5), { completion: 40, reasoning: 30 });
  assert.deepEqual(completionWithReasoning(undefined, 40, 30, undefined, 10), { completion: 40, reasoning: 30 });
  // a total that says "inside" wins over the packets
  assert.deepEqual(completionWithReasoning(5, 40, 30, 45, 25), { completion: 40, reasoning: 30 });
  // no answer at all (cut while thinking): nothing contradicts OpenAI's convention
  assert.deepEqual(completionWithReasoning(undefined, 30, 30, undefined, 0), { completion: 30, reasoning: 30 });
  assert.deepEqual(readUsage({ completion_tokens: 40, completion_tokens_details: { reasoning_tokens: 30 } }, 25), { completion_tokens: 70, reasoning_tokens: 30 });
});
