// The official OpenAI SDK (npm `openai`) against the simulator over loopback, with the base URL
// the simulator gives it (sim.baseUrls.openai, what `llmload sim` prints): chat completions
// streamed and not, the chat stream helper, the Responses stream helpers with both reasoning modes
// (summary events, raw reasoning text), and streamed completions. Each asserts the answer and
// thinking text, the token counts, and that the SDK's own helpers (finalResponse,
// finalChatCompletion) build the whole result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { estimatePromptTokens, startSimulator, type RunningSimulator, type SimProfile } from '../../src/core/sim/index';
import { fastProfile } from '../helpers/sim';

const THINKING = 4;
const ANSWER = 5;
const QUESTION = 'Name the capital of France.';
const PROMPT_TOKENS = estimatePromptTokens(QUESTION);

async function withClient(fn: (client: OpenAI, sim: RunningSimulator) => Promise<void>, overrides: Partial<SimProfile> = {}): Promise<void> {
  const sim = await startSimulator({ profile: fastProfile([THINKING, THINKING], [ANSWER, ANSWER], overrides), seed: 5, port: 0 });
  try {
    await fn(new OpenAI({ baseURL: sim.baseUrls.openai, apiKey: 'sk-sim', maxRetries: 0 }), sim);
  } finally {
    await sim.close();
  }
}

/** The simulator's text has one word per token. */
const words = (text: string): number => text.trim().split(/\s+/).filter((w) => w !== '').length;

test('chat.completions.create streamed with include_usage: thinking, answer and the usage chunk', async () => {
  await withClient(async (client, sim) => {
    assert.equal(sim.baseUrls.openai, sim.url, 'the OpenAI base URL is the /v1 URL');
    const stream = await client.chat.completions.create({
      model: 'sim-reasoner',
      messages: [{ role: 'user', content: QUESTION }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let answer = '';
    let thinking = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    let usageChunks = 0;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice) {
        answer += choice.delta.content ?? '';
        thinking += (choice.delta as { reasoning_content?: string }).reasoning_content ?? '';
        finish = choice.finish_reason ?? finish;
      }
      if (chunk.usage) {
        usage = chunk.usage;
        usageChunks++;
      }
    }
    assert.equal(words(answer), ANSWER);
    assert.equal(words(thinking), THINKING);
    assert.equal(finish, 'stop');
    assert.equal(usageChunks, 1);
    assert.deepEqual(
      [usage?.prompt_tokens, usage?.completion_tokens, usage?.total_tokens, usage?.completion_tokens_details?.reasoning_tokens],
      [PROMPT_TOKENS, THINKING + ANSWER, PROMPT_TOKENS + THINKING + ANSWER, THINKING],
    );
  });
});

test('chat.completions.create without stream returns the whole message and usage', async () => {
  await withClient(async (client) => {
    const r = await client.chat.completions.create({ model: 'sim-reasoner', messages: [{ role: 'user', content: QUESTION }] });
    assert.equal(r.object, 'chat.completion');
    const message = r.choices[0]!.message as OpenAI.ChatCompletionMessage & { reasoning_content?: string };
    assert.equal(words(message.content ?? ''), ANSWER);
    assert.equal(words(message.reasoning_content ?? ''), THINKING);
    assert.equal(r.choices[0]!.finish_reason, 'stop');
    assert.equal(r.usage?.completion_tokens, THINKING + ANSWER);
    assert.equal(r.usage?.prompt_tokens, PROMPT_TOKENS);
  });
});

test('the chat stream helper: content events add up to finalChatCompletion, a tool call is assembled', async () => {
  await withClient(async (client) => {
    const stream = client.chat.completions.stream({
      model: 'sim-reasoner',
      messages: [{ role: 'user', content: QUESTION }],
      stream_options: { include_usage: true },
    });
    let deltas = '';
    stream.on('content.delta', (e) => (deltas += e.delta));
    const final = await stream.finalChatCompletion();
    assert.equal(final.choices[0]!.message.content, deltas);
    assert.equal(words(deltas), ANSWER);
    assert.equal(final.usage?.completion_tokens, THINKING + ANSWER);

    const tool = client.chat.completions.stream({
      model: 'sim-reasoner',
      messages: [{ role: 'user', content: QUESTION }],
      tools: [{ type: 'function', function: { name: 'search', parameters: { type: 'object', properties: { query: { type: 'string' } } } } }],
    });
    const call = (await tool.finalChatCompletion()).choices[0]!.message.tool_calls?.[0];
    assert.equal(call?.type, 'function');
    assert.equal(call?.type === 'function' ? call.function.name : undefined, 'search');
    assert.equal(typeof JSON.parse(call?.type === 'function' ? call.function.arguments : '{}').query, 'string');
  });
});

interface SeenEvent {
  type: string;
  sequence_number: number;
}

/** Runs responses.stream() and checks what every Responses stream must hold; returns the events and the final response. */
async function responsesStream(client: OpenAI, body: Omit<OpenAI.Responses.ResponseCreateParamsStreaming, 'stream'>) {
  const stream = client.responses.stream(body);
  const events: SeenEvent[] = [];
  let text = '';
  let thinking = '';
  stream.on('event', (e) => events.push(e));
  stream.on('response.output_text.delta', (e) => (text += e.delta));
  stream.on('response.reasoning_summary_text.delta', (e) => (thinking += e.delta));
  stream.on('response.reasoning_text.delta', (e) => (thinking += e.delta));
  const final = await stream.finalResponse();
  assert.deepEqual(
    events.map((e) => e.sequence_number),
    events.map((_e, i) => i),
    'sequence numbers count from 0 with no gap',
  );
  assert.deepEqual(events.slice(0, 2).map((e) => e.type), ['response.created', 'response.in_progress']);
  return { events: events.map((e) => e.type), text, thinking, final };
}

test('responses.stream (reasoning summaries): deltas, finalResponse output_text, reasoning summary and usage', async () => {
  await withClient(async (client) => {
    const { events, text, thinking, final } = await responsesStream(client, { model: 'sim-reasoner', input: QUESTION });
    assert.equal(events.at(-1), 'response.completed');
    assert.ok(events.includes('response.reasoning_summary_part.added'));
    assert.ok(events.indexOf('response.reasoning_summary_text.delta') < events.indexOf('response.output_text.delta'));
    assert.equal(final.status, 'completed');
    assert.equal(final.output_text, text);
    assert.equal(words(text), ANSWER);
    assert.equal(words(thinking), THINKING);
    const [reasoning, message] = final.output;
    assert.equal(reasoning?.type, 'reasoning');
    assert.equal(reasoning?.type === 'reasoning' ? reasoning.summary[0]?.text : undefined, thinking);
    assert.equal(message?.type, 'message');
    assert.deepEqual(
      [final.usage?.input_tokens, final.usage?.output_tokens, final.usage?.output_tokens_details.reasoning_tokens, final.usage?.total_tokens],
      [PROMPT_TOKENS, THINKING + ANSWER, THINKING, PROMPT_TOKENS + THINKING + ANSWER],
    );
  });
});

test('responses.stream (raw reasoning text, responses_reasoning=text): the reasoning_text part is opened before its deltas', async () => {
  await withClient(
    async (client) => {
      const { events, text, thinking, final } = await responsesStream(client, { model: 'sim-reasoner', input: QUESTION });
      const firstDelta = events.indexOf('response.reasoning_text.delta');
      assert.ok(firstDelta > events.indexOf('response.content_part.added'), 'content_part.added (reasoning_text) comes first');
      assert.ok(!events.some((t) => t.startsWith('response.reasoning_summary')));
      assert.equal(final.output_text, text);
      assert.equal(words(text), ANSWER);
      assert.equal(words(thinking), THINKING);
      const reasoning = final.output[0];
      assert.equal(reasoning?.type, 'reasoning');
      assert.deepEqual(reasoning?.type === 'reasoning' ? reasoning.content : undefined, [{ type: 'reasoning_text', text: thinking }]);
      assert.equal(final.usage?.output_tokens_details.reasoning_tokens, THINKING);
    },
    { responses_reasoning: 'text' },
  );
});

test('responses.create({stream: true}) in both reasoning modes: every delta points at an item and part announced before it', async () => {
  for (const mode of ['summary', 'text'] as const) {
    await withClient(
      async (client) => {
        const stream = await client.responses.create({ model: 'sim-reasoner', input: QUESTION, stream: true });
        const items = new Map<number, string>();
        const parts = new Set<string>();
        let usage: OpenAI.Responses.ResponseUsage | null | undefined;
        for await (const e of stream) {
          if (e.type === 'response.output_item.added') {
            assert.equal(e.output_index, items.size, `${mode}: output items are numbered in order`);
            items.set(e.output_index, e.item.type);
          }
          if (e.type === 'response.content_part.added') parts.add(`${e.output_index}/${e.content_index}`);
          if (e.type === 'response.reasoning_summary_part.added') parts.add(`${e.output_index}/s${e.summary_index}`);
          if (e.type === 'response.output_text.delta' || e.type === 'response.reasoning_text.delta') {
            assert.ok(parts.has(`${e.output_index}/${e.content_index}`), `${mode}: ${e.type} part announced`);
          }
          if (e.type === 'response.reasoning_summary_text.delta') assert.ok(parts.has(`${e.output_index}/s${e.summary_index}`));
          if (e.type === 'response.completed') usage = e.response.usage;
        }
        assert.deepEqual([...items.values()], ['reasoning', 'message']);
        assert.equal(usage?.output_tokens, THINKING + ANSWER);
      },
      { responses_reasoning: mode },
    );
  }
});

test('responses: max_output_tokens cuts the answer, finalResponse is incomplete; non-streamed create has output_text', async () => {
  await withClient(async (client) => {
    const { events, text, final } = await responsesStream(client, { model: 'sim-reasoner', input: QUESTION, max_output_tokens: THINKING + 2 });
    assert.equal(events.at(-1), 'response.incomplete');
    assert.equal(final.status, 'incomplete');
    assert.equal(final.incomplete_details?.reason, 'max_output_tokens');
    assert.equal(words(text), 2);
    assert.equal(final.usage?.output_tokens, THINKING + 2);

    const whole = await client.responses.create({ model: 'sim-reasoner', input: QUESTION });
    assert.equal(whole.status, 'completed');
    assert.equal(words(whole.output_text), ANSWER);
    assert.equal(whole.usage?.output_tokens, THINKING + ANSWER);
  });
});

test('completions.create streamed: text with think tags, then the usage chunk', async () => {
  await withClient(async (client) => {
    const stream = await client.completions.create({ model: 'sim-reasoner', prompt: QUESTION, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    const m = /^<think>(.*)<\/think>(.*)$/s.exec(text);
    assert.ok(m, `thinking in tags, then the answer: ${text}`);
    assert.equal(words(m[2]!), ANSWER);
    assert.equal(usage?.prompt_tokens, PROMPT_TOKENS);
    // The two tags are tokens of the thinking phase.
    assert.equal(usage?.completion_tokens, THINKING + 2 + ANSWER);
  });
});

test('responses.stream with a function tool: the function_call item with its whole arguments in finalResponse', async () => {
  await withClient(async (client) => {
    const { events, final } = await responsesStream(client, {
      model: 'sim-reasoner',
      input: QUESTION,
      tools: [{ type: 'function', name: 'search', parameters: { type: 'object', properties: { query: { type: 'string' } } }, strict: false }],
    });
    assert.ok(events.includes('response.function_call_arguments.delta'));
    const call = final.output.find((o) => o.type === 'function_call');
    assert.equal(call?.type === 'function_call' ? call.name : undefined, 'search');
    assert.equal(typeof JSON.parse(call?.type === 'function_call' ? call.arguments : '{}').query, 'string');
    assert.equal(final.output_text, '');
  });
});
