// Every API the simulator speaks, over real loopback HTTP: stream structure, non-streaming body,
// request validation, and the API's own error-in-stream format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineProfile, startSimulator, type RunningSimulator, type SimProfile } from '../../src/core/sim/index';
import { fastProfile } from '../helpers/sim';

const FAST: SimProfile = fastProfile([4, 4], [5, 5]);

async function withSim(fn: (sim: RunningSimulator, base: string) => Promise<void>, profile: SimProfile = FAST): Promise<void> {
  const sim = await startSimulator({ profile, seed: 3 });
  try {
    await fn(sim, sim.url.replace(/\/v1$/, ''));
  } finally {
    await sim.close();
  }
}

function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

interface SseEvent {
  event?: string;
  data: string;
}

/** Parses a complete SSE body into events (comments dropped), accepting `data:` with or without a space. */
function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const ev: SseEvent = { data: '' };
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const m = /^(\w+):\s?(.*)$/.exec(line);
        if (!m) continue;
        if (m[1] === 'event') ev.event = m[2];
        if (m[1] === 'data') ev.data = m[2];
      }
      return ev;
    })
    .filter((ev) => ev.event !== undefined || ev.data !== '');
}

test('openai-completions streams text chunks, a finish chunk, usage when asked, and [DONE]', async () => {
  await withSim(async (_sim, base) => {
    const res = await post(`${base}/v1/completions`, { prompt: 'Say hi', stream: true, stream_options: { include_usage: true } });
    assert.equal(res.status, 200);
    const events = parseSse(await res.text());
    assert.equal(events.at(-1)!.data, '[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data));
    assert.ok(chunks.every((c) => c.object === 'text_completion' && /^cmpl-sim-\d+$/.test(c.id)));
    const texts = chunks.slice(0, -2).map((c) => c.choices[0].text);
    // Raw text: thinking comes inside <think> tags: 1 + 4 + 1 thinking tokens, then 5 answer tokens.
    assert.equal(texts.length, 11);
    assert.equal(texts[0], '<think>');
    assert.equal(texts[5], '</think>');
    assert.equal(chunks.at(-2).choices[0].finish_reason, 'stop');
    assert.deepEqual(chunks.at(-1).choices, []);
    assert.equal(chunks.at(-1).usage.completion_tokens, 11);
    assert.equal(chunks.at(-1).usage.completion_tokens_details.reasoning_tokens, 6);

    const plain = (await (await post(`${base}/v1/completions`, { prompt: ['a', 'b'], max_tokens: 3 })).json()) as any;
    assert.equal(plain.object, 'text_completion');
    assert.equal(plain.choices[0].finish_reason, 'length');
    assert.equal(plain.usage.completion_tokens, 3);
    assert.equal((await post(`${base}/v1/completions`, { model: 'm' })).status, 400);
  });
});

test('openai-responses streams typed events with sequence numbers, reasoning summary, text deltas and response.completed usage', async () => {
  await withSim(async (_sim, base) => {
    const res = await post(`${base}/v1/responses`, { model: 'sim', input: [{ role: 'user', content: [{ type: 'input_text', text: 'Hello' }] }], stream: true });
    const events = parseSse(await res.text());
    const payloads = events.map((e) => JSON.parse(e.data));
    events.forEach((e, i) => {
      assert.equal(payloads[i].type, e.event, 'event line matches the payload type');
      assert.equal(payloads[i].sequence_number, i);
    });
    const types = events.map((e) => e.event);
    assert.equal(types[0], 'response.created');
    assert.equal(types[1], 'response.in_progress');
    assert.equal(types.at(-1), 'response.completed');
    assert.equal(types.filter((t) => t === 'response.reasoning_summary_text.delta').length, 4);
    assert.equal(types.filter((t) => t === 'response.output_text.delta').length, 5);
    assert.ok(types.lastIndexOf('response.reasoning_summary_text.delta') < types.indexOf('response.output_text.delta'));
    const done = payloads.at(-1).response;
    assert.equal(done.status, 'completed');
    assert.match(done.id, /^resp_sim\d+$/);
    assert.deepEqual(done.usage.output_tokens_details, { reasoning_tokens: 4 });
    assert.equal(done.usage.output_tokens, 9);
    const text = payloads.filter((p) => p.type === 'response.output_text.delta').map((p) => p.delta).join('');
    assert.equal(done.output[1].content[0].text, text);
    assert.ok(!events.some((e) => e.data === '[DONE]'), 'the Responses API has no [DONE]');

    const cut = parseSse(await (await post(`${base}/v1/responses`, { input: 'Hello', stream: true, max_output_tokens: 6 })).text());
    const last = JSON.parse(cut.at(-1)!.data);
    assert.equal(last.type, 'response.incomplete');
    assert.deepEqual(last.response.incomplete_details, { reason: 'max_output_tokens' });

    const whole = (await (await post(`${base}/v1/responses`, { input: 'Hello' })).json()) as any;
    assert.equal(whole.object, 'response');
    assert.deepEqual(whole.output.map((o: any) => o.type), ['reasoning', 'message']);
    assert.equal((await post(`${base}/v1/responses`, { model: 'm' })).status, 400);
  });
});

test('anthropic streams message_start, thinking and text blocks, message_delta usage and message_stop', async () => {
  await withSim(async (_sim, base) => {
    const res = await post(`${base}/v1/messages`, { model: 'claude-sim', max_tokens: 100, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    const events = parseSse(await res.text());
    const payloads = events.map((e) => JSON.parse(e.data));
    events.forEach((e, i) => assert.equal(payloads[i].type, e.event));
    const summary = payloads.map((p) => (p.type === 'content_block_delta' ? p.delta.type : p.type === 'content_block_start' ? `start:${p.content_block.type}` : p.type));
    assert.deepEqual(summary, [
      'message_start',
      'start:thinking',
      'thinking_delta',
      'thinking_delta',
      'thinking_delta',
      'thinking_delta',
      'signature_delta',
      'content_block_stop',
      'start:text',
      'text_delta',
      'text_delta',
      'text_delta',
      'text_delta',
      'text_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    assert.match(payloads[0].message.id, /^msg_sim\d+$/);
    assert.equal(payloads[0].message.model, 'claude-sim');
    assert.equal(payloads[0].message.usage.input_tokens, Math.ceil('Be brief.\nHi'.length / 4));
    const delta = payloads.at(-2);
    assert.equal(delta.delta.stop_reason, 'end_turn');
    assert.equal(delta.usage.output_tokens, 9);

    const cut = (await (await post(`${base}/v1/messages`, { max_tokens: 6, messages: [{ role: 'user', content: 'Hi' }] })).json()) as any;
    assert.equal(cut.type, 'message');
    assert.equal(cut.stop_reason, 'max_tokens');
    assert.deepEqual(cut.content.map((c: any) => c.type), ['thinking', 'text']);
    const noThinking = (await (await post(`${base}/v1/messages`, { max_tokens: 50, thinking: { type: 'disabled' }, messages: [{ role: 'user', content: 'Hi' }] })).json()) as any;
    assert.deepEqual(noThinking.content.map((c: any) => c.type), ['text']);

    const missingMax = await post(`${base}/v1/messages`, { messages: [{ role: 'user', content: 'Hi' }] });
    assert.equal(missingMax.status, 400);
    assert.deepEqual(Object.keys(((await missingMax.json()) as any).error), ['type', 'message']);
  });
});

test('anthropic sends ping events while waiting for the first token', async () => {
  await withSim(
    async (_sim, base) => {
      const res = await post(`${base}/v1/messages`, { max_tokens: 100, messages: [{ role: 'user', content: 'y'.repeat(1200) }], stream: true });
      const events = parseSse(await res.text());
      const types = events.map((e) => e.event);
      const firstBlock = types.indexOf('content_block_start');
      assert.equal(types[0], 'message_start');
      assert.ok(types.slice(1, firstBlock).length >= 1);
      assert.ok(types.slice(1, firstBlock).every((t) => t === 'ping'));
      assert.deepEqual(JSON.parse(events[1].data), { type: 'ping' });
    },
    defineProfile(FAST, { prefill_tokens_per_s: 1000, keepalive_interval_ms: 10 }),
  );
});

test('ollama streams NDJSON with message.thinking, message.content and a final done record', async () => {
  await withSim(async (_sim, base) => {
    const res = await post(`${base}/api/chat`, { model: 'llama-sim', messages: [{ role: 'user', content: 'Hi' }] });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/x-ndjson');
    const text = await res.text();
    assert.ok(text.endsWith('\n'));
    const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 10);
    assert.ok(lines.slice(0, 4).every((l) => l.message.thinking && l.message.content === '' && l.done === false));
    assert.ok(lines.slice(4, 9).every((l) => l.message.content && l.message.thinking === undefined && l.done === false));
    const last = lines[9];
    assert.equal(last.done, true);
    assert.equal(last.done_reason, 'stop');
    assert.equal(last.model, 'llama-sim');
    assert.equal(last.eval_count, 9);
    assert.equal(last.prompt_eval_count, 1);
    for (const k of ['total_duration', 'load_duration', 'prompt_eval_duration', 'eval_duration']) assert.ok(Number.isInteger(last[k]), k);
    assert.ok(last.total_duration >= last.eval_duration);

    const whole = (await (await post(`${base}/api/chat`, { model: 'm', stream: false, think: false, options: { num_predict: 2 }, messages: [{ role: 'user', content: 'Hi' }] })).json()) as any;
    assert.equal(whole.done, true);
    assert.equal(whole.done_reason, 'length');
    assert.equal(whole.eval_count, 2);
    assert.equal(whole.message.thinking, undefined);
    const bad = await post(`${base}/api/chat`, { messages: [{ role: 'user', content: 'Hi' }] });
    assert.equal(bad.status, 400);
    assert.equal(typeof ((await bad.json()) as any).error, 'string');
  });
});

test('tgi streams data:{token} events; the last carries generated_text and details', async () => {
  await withSim(async (_sim, base) => {
    const res = await post(`${base}/generate_stream`, { inputs: 'Hello there', parameters: { max_new_tokens: 20 } });
    const raw = await res.text();
    assert.ok(raw.startsWith('data:{'), 'TGI writes data: without a space');
    const events = parseSse(raw).map((e) => JSON.parse(e.data));
    assert.equal(events.length, 11);
    events.forEach((e, i) => {
      assert.equal(e.index, i + 1);
      assert.deepEqual(Object.keys(e.token).sort(), ['id', 'logprob', 'special', 'text']);
    });
    assert.ok(events.slice(0, -1).every((e) => e.generated_text === null && e.details === null));
    const last = events.at(-1);
    assert.equal(last.generated_text, events.map((e) => e.token.text).join(''));
    assert.match(last.generated_text, /^<think>.*<\/think>\n\n/s);
    assert.deepEqual(last.details, { finish_reason: 'eos_token', generated_tokens: 11, input_length: 3, seed: null });

    const cut = parseSse(await (await post(`${base}/generate_stream`, { inputs: 'Hello', parameters: { max_new_tokens: 2 } })).text());
    assert.equal(JSON.parse(cut.at(-1)!.data).details.finish_reason, 'length');
    const whole = (await (await post(`${base}/generate`, { inputs: 'Hello' })).json()) as any;
    assert.equal(typeof whole.generated_text, 'string');
    assert.equal(whole.details.generated_tokens, 11);
    const bad = await post(`${base}/generate_stream`, { inputs: '' });
    assert.equal(bad.status, 400);
    assert.ok(((await bad.json()) as any).error_type);
  });
});

test('each API reports a stream_error fault in its own format', async () => {
  await withSim(async (_sim, base) => {
    const fault = { 'x-llmload-sim-fault': 'stream_error' };
    const user = [{ role: 'user', content: 'Hi' }];
    const chat = parseSse(await (await post(`${base}/v1/chat/completions`, { messages: user, stream: true }, fault)).text());
    assert.ok(JSON.parse(chat.at(-2)!.data).error.message);
    const completions = parseSse(await (await post(`${base}/v1/completions`, { prompt: 'Hi', stream: true }, fault)).text());
    assert.ok(JSON.parse(completions.at(-2)!.data).error.message);
    const responses = parseSse(await (await post(`${base}/v1/responses`, { input: 'Hi', stream: true }, fault)).text());
    assert.equal(responses.at(-1)!.event, 'error');
    assert.equal(JSON.parse(responses.at(-1)!.data).type, 'error');
    const anth = parseSse(await (await post(`${base}/v1/messages`, { max_tokens: 50, messages: user, stream: true }, fault)).text());
    assert.equal(anth.at(-1)!.event, 'error');
    assert.equal(JSON.parse(anth.at(-1)!.data).error.type, 'overloaded_error');
    const oll = (await (await post(`${base}/api/chat`, { model: 'm', messages: user }, fault)).text()).trimEnd().split('\n');
    assert.equal(typeof JSON.parse(oll.at(-1)!).error, 'string');
    assert.equal(oll.length, 4, 'three chunks, then the error');
    const tgi = parseSse(await (await post(`${base}/generate_stream`, { inputs: 'Hi' }, fault)).text());
    assert.equal(JSON.parse(tgi.at(-1)!.data).error_type, 'generation');
  });
});

test('each API ends a disconnect fault without its done marker', async () => {
  await withSim(async (_sim, base) => {
    const fault = { 'x-llmload-sim-fault': 'disconnect' };
    const user = [{ role: 'user', content: 'Hi' }];
    const chat = await (await post(`${base}/v1/chat/completions`, { messages: user, stream: true }, fault)).text();
    assert.ok(!chat.includes('[DONE]') && !chat.includes('finish_reason":"stop'));
    const anth = await (await post(`${base}/v1/messages`, { max_tokens: 50, messages: user, stream: true }, fault)).text();
    assert.ok(!anth.includes('message_stop'));
    const resp = await (await post(`${base}/v1/responses`, { input: 'Hi', stream: true }, fault)).text();
    assert.ok(!resp.includes('response.completed'));
    const oll = await (await post(`${base}/api/chat`, { model: 'm', messages: user }, fault)).text();
    assert.ok(!oll.includes('"done":true'));
    const tgi = await (await post(`${base}/generate_stream`, { inputs: 'Hi' }, fault)).text();
    assert.ok(!tgi.includes('generated_text":"'));
  });
});

test('GET /api/tags lists the model for Ollama clients', async () => {
  await withSim(async (_sim, base) => {
    const tags = (await (await fetch(`${base}/api/tags`)).json()) as any;
    assert.equal(tags.models[0].name, 'sim-reasoner');
  });
});

test('openai-responses can send raw reasoning text events instead of summaries', async () => {
  await withSim(
    async (_sim, base) => {
      const events = parseSse(await (await post(`${base}/v1/responses`, { input: 'Hello', stream: true })).text());
      const types = events.map((e) => e.event);
      assert.equal(types.filter((t) => t === 'response.reasoning_text.delta').length, 4);
      assert.ok(!types.some((t) => t?.startsWith('response.reasoning_summary')));
      const delta = JSON.parse(events[types.indexOf('response.reasoning_text.delta')].data);
      assert.equal(delta.content_index, 0);
      const done = JSON.parse(events.at(-1)!.data).response;
      assert.equal(done.output[0].content[0].type, 'reasoning_text');
    },
    defineProfile(FAST, { responses_reasoning: 'text' }),
  );
});

test('root routes are also served under /v1 and /v1 routes without it (a builtin base URL ends in /v1)', async () => {
  await withSim(async (_sim, base) => {
    const oll = await post(`${base}/v1/api/chat`, { model: 'm', messages: [{ role: 'user', content: 'Hi' }] });
    assert.equal(oll.headers.get('content-type'), 'application/x-ndjson');
    assert.ok((await oll.text()).includes('"done":true'));
    const tgi = await post(`${base}/v1/generate_stream`, { inputs: 'Hi' });
    assert.ok((await tgi.text()).startsWith('data:{'));
    const chat = await post(`${base}/chat/completions`, { messages: [{ role: 'user', content: 'Hi' }] });
    assert.equal(((await chat.json()) as any).object, 'chat.completion');
    const none = await post(`${base}/v1/v1/chat/completions`, {});
    assert.equal(none.status, 404);
    await none.arrayBuffer();
  });
});

test('offered tools are called instead of answering, in each API format', async () => {
  await withSim(async (_sim, base) => {
    const user = [{ role: 'user', content: 'Find it' }];
    const fnTools = [{ type: 'function', function: { name: 'search', parameters: { type: 'object' } } }];

    const chat = parseSse(await (await post(`${base}/v1/chat/completions`, { messages: user, tools: fnTools, stream: true })).text());
    const chunks = chat.slice(0, -1).map((e) => JSON.parse(e.data));
    const calls = chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []);
    assert.equal(calls[0].function.name, 'search');
    assert.match(calls[0].id, /^call_/);
    assert.ok(calls.slice(1).every((c: any) => c.id === undefined && c.function.name === undefined));
    const args = calls.map((c: any) => c.function.arguments).join('');
    assert.equal(typeof JSON.parse(args).query, 'string');
    assert.equal(chunks.at(-1).choices[0].finish_reason, 'tool_calls');
    assert.ok(!chunks.some((c) => typeof c.choices[0]?.delta?.content === 'string' && c.choices[0].delta.content !== ''), 'no answer text');

    const none = (await (await post(`${base}/v1/chat/completions`, { messages: user, tools: fnTools, tool_choice: 'none' })).json()) as any;
    assert.equal(none.choices[0].finish_reason, 'stop');
    assert.ok(none.choices[0].message.content.length > 0);
    const whole = (await (await post(`${base}/v1/chat/completions`, { messages: user, tools: fnTools })).json()) as any;
    assert.equal(whole.choices[0].message.content, null);
    assert.equal(whole.choices[0].message.tool_calls[0].function.name, 'search');

    const anth = parseSse(await (await post(`${base}/v1/messages`, { max_tokens: 100, messages: user, tools: [{ name: 'lookup', input_schema: {} }], stream: true })).text()).map((e) => JSON.parse(e.data));
    const start = anth.find((p) => p.type === 'content_block_start' && p.content_block.type === 'tool_use');
    assert.equal(start.content_block.name, 'lookup');
    const partial = anth.filter((p) => p.delta?.type === 'input_json_delta').map((p) => p.delta.partial_json).join('');
    assert.equal(typeof JSON.parse(partial).query, 'string');
    assert.equal(anth.find((p) => p.type === 'message_delta').delta.stop_reason, 'tool_use');

    const resp = parseSse(await (await post(`${base}/v1/responses`, { input: 'Find it', tools: [{ type: 'function', name: 'search' }], stream: true })).text()).map((e) => JSON.parse(e.data));
    const deltas = resp.filter((p) => p.type === 'response.function_call_arguments.delta').map((p) => p.delta).join('');
    assert.equal(resp.find((p) => p.type === 'response.function_call_arguments.done').arguments, deltas);
    const completed = resp.at(-1).response;
    assert.deepEqual(completed.output.map((o: any) => o.type), ['reasoning', 'function_call']);

    const oll = (await (await post(`${base}/api/chat`, { model: 'm', messages: user, tools: fnTools })).text()).trimEnd().split('\n').map((l) => JSON.parse(l));
    const call = oll.find((l) => l.message.tool_calls);
    assert.equal(call.message.tool_calls[0].function.name, 'search');
    assert.equal(typeof call.message.tool_calls[0].function.arguments.query, 'string');
    assert.equal(oll.at(-1).done, true);
  });
});
