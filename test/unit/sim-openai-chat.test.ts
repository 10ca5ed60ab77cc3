// The simulator's OpenAI Chat Completions endpoint, over real loopback HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineProfile, startSimulator, type RunningSimulator, type SimProfile } from '../../src/core/sim/index';
import { fastProfile } from '../helpers/sim';

const FAST: SimProfile = fastProfile([5, 9], [6, 12]);

async function withSim<T>(profile: SimProfile | string, fn: (sim: RunningSimulator) => Promise<T>, seed = 7): Promise<T> {
  const sim = await startSimulator({ profile, seed });
  try {
    return await fn(sim);
  } finally {
    await sim.close();
  }
}

function post(sim: RunningSimulator, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  return fetch(`${sim.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal,
  });
}

/** The SSE frames of a whole response body (split on the blank line). */
async function frames(res: Response): Promise<string[]> {
  const text = await res.text();
  assert.ok(text.endsWith('\n\n'), 'stream ends with a complete frame');
  return text.slice(0, -2).split('\n\n');
}

const json = (frame: string): Record<string, any> => {
  assert.ok(frame.startsWith('data: '), `data frame: ${frame}`);
  return JSON.parse(frame.slice(6));
};

const question = { model: 'sim-reasoner', messages: [{ role: 'user', content: 'What is the capital of France?' }] };

test('a stream sends role chunk, reasoning deltas, content deltas, finish chunk and [DONE], all with one id', async () => {
  await withSim(FAST, async (sim) => {
    const res = await post(sim, { ...question, stream: true });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const f = await frames(res);
    assert.equal(f.at(-1), 'data: [DONE]');
    const chunks = f.slice(0, -1).map(json);
    const ids = new Set(chunks.map((c) => c.id));
    assert.equal(ids.size, 1);
    assert.match([...ids][0], /^chatcmpl-sim-\d+$/);
    assert.equal(res.headers.get('x-llmload-sim-response-id'), [...ids][0]);
    for (const c of chunks) {
      assert.equal(c.object, 'chat.completion.chunk');
      assert.equal(c.model, 'sim-reasoner');
      assert.equal(typeof c.created, 'number');
      assert.equal(c.choices.length, 1);
      assert.equal('usage' in c, false, 'no usage field unless include_usage');
    }
    assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '' });
    const kinds = chunks.slice(1, -1).map((c) => Object.keys(c.choices[0].delta).join(','));
    const firstAnswer = kinds.indexOf('content');
    assert.ok(firstAnswer > 0, 'reasoning comes before the answer');
    assert.ok(kinds.slice(0, firstAnswer).every((k) => k === 'reasoning_content'));
    assert.ok(kinds.slice(firstAnswer).every((k) => k === 'content'));
    assert.ok(firstAnswer >= 5 && firstAnswer <= 9, 'thinking tokens within the profile range');
    const last = chunks.at(-1)!;
    assert.deepEqual(last.choices[0].delta, {});
    assert.equal(last.choices[0].finish_reason, 'stop');
    assert.ok(chunks.slice(0, -1).every((c) => c.choices[0].finish_reason === null));
  });
});

test('include_usage adds a usage chunk with choices [] before [DONE], and usage: null on the other chunks', async () => {
  await withSim(FAST, async (sim) => {
    const res = await post(sim, { ...question, stream: true, stream_options: { include_usage: true } });
    const f = await frames(res);
    assert.equal(f.at(-1), 'data: [DONE]');
    const chunks = f.slice(0, -1).map(json);
    const usageChunk = chunks.at(-1)!;
    assert.deepEqual(usageChunk.choices, []);
    const deltas = chunks.slice(1, -2).map((c) => c.choices[0].delta);
    const reasoning = deltas.filter((d) => 'reasoning_content' in d).length;
    const prompt = 'What is the capital of France?';
    assert.deepEqual(usageChunk.usage, {
      prompt_tokens: Math.ceil(prompt.length / 4),
      completion_tokens: deltas.length,
      total_tokens: Math.ceil(prompt.length / 4) + deltas.length,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: reasoning },
    });
    assert.ok(chunks.slice(0, -1).every((c) => c.usage === null));
  });
});

test('without stream the answer comes as one chat.completion JSON', async () => {
  await withSim(FAST, async (sim) => {
    const res = await post(sim, question);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const body = (await res.json()) as any;
    assert.equal(body.object, 'chat.completion');
    assert.match(body.id, /^chatcmpl-sim-\d+$/);
    const choice = body.choices[0];
    assert.equal(choice.finish_reason, 'stop');
    assert.equal(choice.message.role, 'assistant');
    assert.ok(choice.message.content.length > 0);
    assert.ok(choice.message.reasoning_content.length > 0);
    assert.equal(body.usage.total_tokens, body.usage.prompt_tokens + body.usage.completion_tokens);
    assert.ok(body.usage.completion_tokens_details.reasoning_tokens >= 5);
  });
});

test('keep-alive comments arrive while a long prompt is prefilled, all before the first token', async () => {
  const slowPrefill = defineProfile(FAST, { prefill_tokens_per_s: 1000, keepalive_interval_ms: 10 });
  await withSim(slowPrefill, async (sim) => {
    // 1600 characters = 400 prompt tokens = 400 ms of prefill, 40 keep-alive intervals.
    const res = await post(sim, { messages: [{ role: 'user', content: 'x'.repeat(1600) }], stream: true });
    const f = await frames(res);
    const firstToken = f.findIndex((x) => x.startsWith('data: {') && /"(reasoning_content|content)":"[^"]/.test(x));
    const keepAlives = f.map((x, i) => (x === ': keep-alive' ? i : -1)).filter((i) => i >= 0);
    assert.ok(keepAlives.length >= 1, 'at least one keep-alive');
    assert.ok(firstToken > 0);
    assert.ok(keepAlives.every((i) => i > 0 && i < firstToken), 'keep-alives come after the role chunk and before the first token');
  });
});

test('max_tokens counts thinking and answer: a cut answer ends with finish_reason length', async () => {
  await withSim(FAST, async (sim) => {
    const res = await post(sim, { ...question, stream: true, max_tokens: 11, stream_options: { include_usage: true } });
    const chunks = (await frames(res)).slice(0, -1).map(json);
    const deltas = chunks.slice(1, -2).map((c) => c.choices[0].delta);
    assert.equal(deltas.length, 11);
    assert.ok(deltas.some((d) => 'content' in d), 'the answer started (thinking is at most 9 tokens)');
    assert.equal(chunks.at(-2)!.choices[0].finish_reason, 'length');
    assert.equal(chunks.at(-1)!.usage.completion_tokens, 11);
  });
});

test('max_tokens below the thinking length stops inside thinking with no answer', async () => {
  await withSim(FAST, async (sim) => {
    const body = (await (await post(sim, { ...question, max_tokens: 3 })).json()) as any;
    assert.equal(body.choices[0].finish_reason, 'length');
    assert.equal(body.choices[0].message.content, '');
    assert.equal(body.usage.completion_tokens, 3);
    assert.equal(body.usage.completion_tokens_details.reasoning_tokens, 3);
  });
});

test('same seed gives the same text; another seed gives other text', async () => {
  const answer = async (seed: number): Promise<string> =>
    withSim(
      FAST,
      async (sim) => {
        const texts: string[] = [];
        for (let i = 0; i < 2; i++) {
          const body = (await (await post(sim, question)).json()) as any;
          texts.push(body.choices[0].message.reasoning_content + '|' + body.choices[0].message.content);
        }
        assert.notEqual(texts[0], texts[1], 'a repeated prompt gets a new draw');
        return texts.join('\n');
      },
      seed,
    );
  const a = await answer(11);
  assert.equal(await answer(11), a);
  assert.notEqual(await answer(12), a);
});

test('a request seed fixes the response text', async () => {
  await withSim(FAST, async (sim) => {
    const one = (await (await post(sim, { ...question, seed: 5 })).json()) as any;
    const two = (await (await post(sim, { ...question, seed: 5 })).json()) as any;
    assert.equal(one.choices[0].message.content, two.choices[0].message.content);
  });
});

test('bad JSON and missing messages get 400 with an OpenAI-style error', async () => {
  await withSim(FAST, async (sim) => {
    const bad = await post(sim, '{"messages": [');
    assert.equal(bad.status, 400);
    const badBody = (await bad.json()) as any;
    assert.equal(badBody.error.type, 'invalid_request_error');
    assert.match(badBody.error.message, /not valid JSON/);
    const missing = await post(sim, { model: 'm' });
    assert.equal(missing.status, 400);
    assert.match(((await missing.json()) as any).error.message, /messages/);
    const badMax = await post(sim, { ...question, max_tokens: -1 });
    assert.equal(badMax.status, 400);
    await badMax.arrayBuffer();
  });
});

test('GET /v1/models lists the model; unknown paths get a 404 JSON error', async () => {
  await withSim('reasoning', async (sim) => {
    const models = (await (await fetch(`${sim.url}/models`)).json()) as any;
    assert.equal(models.object, 'list');
    assert.equal(models.data[0].id, 'sim-reasoner');
    const missing = await fetch(`${sim.url}/nothing-here`);
    assert.equal(missing.status, 404);
    assert.match(((await missing.json()) as any).error.message, /no route/);
  });
});

test('an unknown profile name rejects with the known names', async () => {
  await assert.rejects(startSimulator({ profile: 'nope' }), /unknown simulator profile "nope".*chat.*reasoning/);
});

test('think_tags mode puts <think>...</think> in content before the answer', async () => {
  await withSim(defineProfile(FAST, { reasoning_format: 'think_tags' }), async (sim) => {
    const chunks = (await frames(await post(sim, { ...question, stream: true }))).slice(0, -1).map(json);
    const deltas = chunks.slice(1, -1).map((c) => c.choices[0].delta);
    assert.ok(deltas.every((d) => Object.keys(d).join() === 'content'));
    const text = deltas.map((d) => d.content).join('');
    assert.match(text, /^<think>[^<]+<\/think>\n\n\S/);
    assert.equal(deltas[0].content, '<think>');
  });
});

test('the reasoning format header switches the thinking field to `reasoning`', async () => {
  await withSim(FAST, async (sim) => {
    const body = (await (await post(sim, question, { 'x-llmload-sim-reasoning-format': 'reasoning' })).json()) as any;
    assert.ok(body.choices[0].message.reasoning.length > 0);
    assert.equal(body.choices[0].message.reasoning_content, undefined);
  });
});

test('a client that goes away stops the response: no more frames are sent', async () => {
  const slow = defineProfile(FAST, { decode_tokens_per_s: 200, answer_tokens: [500, 500] });
  await withSim(slow, async (sim) => {
    const ac = new AbortController();
    const res = await post(sim, { ...question, stream: true }, {}, ac.signal);
    const id = res.headers.get('x-llmload-sim-response-id')!;
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
    await reader.read().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    const sentAfterAbort = sim.sendLog(id)!.length;
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(sim.sendLog(id)!.length, sentAfterAbort, 'no frame sent after the client left');
    assert.ok(sentAfterAbort < 100, 'the stream stopped long before its 500 tokens');
  });
});

test('close() ends an open stream and the server', async () => {
  const slow = defineProfile(FAST, { decode_tokens_per_s: 20, answer_tokens: [500, 500] });
  const sim = await startSimulator({ profile: slow });
  const res = await post(sim, { ...question, stream: true });
  const reader = res.body!.getReader();
  const first = await reader.read();
  assert.equal(first.done, false);
  await sim.close();
  let received = '';
  let failed = false;
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      received += new TextDecoder().decode(r.value);
    }
  } catch {
    failed = true;
  }
  assert.ok(failed || !received.includes('[DONE]'), 'the stream was cut, not completed');
  await assert.rejects(post(sim, question), 'the server no longer accepts connections');
});

test('reasoning_details format sends OpenRouter-style structured reasoning deltas', async () => {
  await withSim(FAST, async (sim) => {
    const res = await post(sim, { ...question, stream: true }, { 'x-llmload-sim-reasoning-format': 'reasoning_details' });
    const chunks = (await frames(res)).slice(0, -1).map(json);
    const thinking = chunks.slice(1, -1).map((c) => c.choices[0].delta).filter((d) => 'reasoning_details' in d);
    assert.ok(thinking.length >= 5);
    for (const d of thinking) {
      assert.deepEqual(Object.keys(d), ['reasoning_details']);
      assert.equal(d.reasoning_details[0].type, 'reasoning.text');
      assert.equal(typeof d.reasoning_details[0].text, 'string');
    }
  });
});

test('think_tags_split sends each tag over two chunks', async () => {
  await withSim(defineProfile(FAST, { reasoning_format: 'think_tags', think_tags_split: true }), async (sim) => {
    const chunks = (await frames(await post(sim, { ...question, stream: true }))).slice(0, -1).map(json);
    const pieces = chunks.slice(1, -1).map((c) => c.choices[0].delta.content as string);
    assert.deepEqual(pieces.slice(0, 2), ['<th', 'ink>']);
    const close = pieces.indexOf('</th');
    assert.ok(close > 2);
    assert.equal(pieces[close + 1], 'ink>');
    assert.ok(!pieces.includes('<think>') && !pieces.includes('</think>'));
  });
});

test('a repeated long prompt is served from the prefix cache: cached tokens reported, prefill shorter', async () => {
  const slowPrefill = defineProfile(FAST, { prefill_tokens_per_s: 2000 });
  await withSim(slowPrefill, async (sim) => {
    const shared = 'You are a helpful assistant. '.repeat(40); // 1160 chars = 290 tokens
    const ask = async (question: string) => {
      const res = await post(sim, { messages: [{ role: 'system', content: shared }, { role: 'user', content: question }], stream: true, stream_options: { include_usage: true } });
      const id = res.headers.get('x-llmload-sim-response-id')!;
      const chunks = (await frames(res)).slice(0, -1).map(json);
      const sent = sim.sendLog(id)!;
      return { usage: chunks.at(-1)!.usage, prefillSent: sent[1] - sent[0] };
    };
    const first = await ask('First question?');
    assert.equal(first.usage.prompt_tokens_details.cached_tokens, 0);
    const second = await ask('Another question?');
    // The shared system prompt fills 18 whole 16-token blocks (1152 of its 1160 characters).
    assert.equal(second.usage.prompt_tokens_details.cached_tokens, 18 * 16);
    assert.equal(second.usage.prompt_tokens, Math.ceil((shared.length + 1 + 'Another question?'.length) / 4), 'prompt_tokens still counts the whole prompt');
    // Server-side times: 290+ uncached tokens take ~150 ms at 2000 tokens/s; ~10 uncached tokens ~5 ms.
    assert.ok(first.prefillSent > second.prefillSent, `prefill ${first.prefillSent.toFixed(1)} ms then ${second.prefillSent.toFixed(1)} ms`);
  });
  await withSim(defineProfile(FAST, { prefix_caching: false }), async (sim) => {
    const body = { messages: [{ role: 'user', content: 'y'.repeat(400) }] };
    await (await post(sim, body)).arrayBuffer();
    const again = (await (await post(sim, body)).json()) as any;
    assert.equal(again.usage.prompt_tokens_details.cached_tokens, 0);
  });
});
