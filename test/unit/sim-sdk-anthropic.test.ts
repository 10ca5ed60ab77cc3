// The official Anthropic SDK (npm `@anthropic-ai/sdk`) against the simulator over loopback, given
// the base URL the simulator names for it (sim.baseUrls.anthropic, what `llmload sim` prints: the
// root, since the SDK adds /v1/messages itself): messages.create streamed and not, and the
// messages.stream() helper with thinking blocks (thinking_delta, signature_delta) and finalMessage().
// The OpenAI-style /v1 URL given by mistake gets a 404 that says which URL to use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { estimatePromptTokens, startSimulator, type RunningSimulator } from '../../src/core/sim/index';
import { fastProfile } from '../helpers/sim';

const THINKING = 4;
const ANSWER = 5;
const QUESTION = 'Name the capital of France.';
const SYSTEM = 'Answer briefly.';
// The simulator counts the system prompt and the messages, joined with newlines.
const PROMPT_TOKENS = estimatePromptTokens(`${SYSTEM}\n${QUESTION}`);
const words = (text: string): number => text.trim().split(/\s+/).filter((w) => w !== '').length;

async function withClient(fn: (client: Anthropic, sim: RunningSimulator) => Promise<void>): Promise<void> {
  const sim = await startSimulator({ profile: fastProfile([THINKING, THINKING], [ANSWER, ANSWER]), seed: 5, port: 0 });
  try {
    await fn(new Anthropic({ baseURL: sim.baseUrls.anthropic, apiKey: 'sk-ant-sim', maxRetries: 0 }), sim);
  } finally {
    await sim.close();
  }
}

const request = {
  model: 'claude-sim',
  max_tokens: 256,
  system: SYSTEM,
  thinking: { type: 'enabled', budget_tokens: 128 },
  messages: [{ role: 'user', content: QUESTION }],
} satisfies Anthropic.MessageCreateParamsNonStreaming;

test('messages.stream(): thinking, signature and text events, finalMessage() and finalText()', async () => {
  await withClient(async (client, sim) => {
    assert.equal(sim.baseUrls.anthropic, sim.url.replace(/\/v1$/, ''), 'the Anthropic base URL is the root');
    const stream = client.messages.stream(request);
    let thinking = '';
    let text = '';
    const signatures: string[] = [];
    stream.on('thinking', (delta) => (thinking += delta));
    stream.on('signature', (s) => signatures.push(s));
    stream.on('text', (delta) => (text += delta));
    const final = await stream.finalMessage();
    assert.equal(words(thinking), THINKING);
    assert.equal(words(text), ANSWER);
    assert.equal(signatures.length, 1);
    assert.equal(final.stop_reason, 'end_turn');
    assert.equal(final.model, 'claude-sim');
    assert.deepEqual(
      final.content.map((b) => b.type),
      ['thinking', 'text'],
    );
    const [think, answer] = final.content;
    assert.equal(think?.type === 'thinking' ? think.thinking : undefined, thinking);
    assert.equal(think?.type === 'thinking' ? think.signature : undefined, signatures[0]);
    assert.equal(answer?.type === 'text' ? answer.text : undefined, text);
    assert.equal(await stream.finalText(), text);
    assert.equal(final.usage.input_tokens, PROMPT_TOKENS);
    assert.equal(final.usage.output_tokens, THINKING + ANSWER, 'output tokens include the thinking');
  });
});

test('messages.create streamed: the raw events in order, with thinking_delta and signature_delta', async () => {
  await withClient(async (client) => {
    const stream = await client.messages.create({ ...request, stream: true });
    const types: string[] = [];
    const deltas: string[] = [];
    let text = '';
    let thinking = '';
    let outputTokens = 0;
    for await (const e of stream) {
      types.push(e.type);
      if (e.type === 'content_block_delta') {
        deltas.push(e.delta.type);
        if (e.delta.type === 'text_delta') text += e.delta.text;
        if (e.delta.type === 'thinking_delta') thinking += e.delta.thinking;
      }
      if (e.type === 'message_delta') outputTokens = e.usage.output_tokens;
    }
    assert.equal(types[0], 'message_start');
    assert.equal(types.at(-1), 'message_stop');
    assert.equal(types.filter((t) => t === 'content_block_start').length, 2);
    assert.deepEqual(deltas, [...Array(THINKING).fill('thinking_delta'), 'signature_delta', ...Array(ANSWER).fill('text_delta')]);
    assert.equal(words(text), ANSWER);
    assert.equal(words(thinking), THINKING);
    assert.equal(outputTokens, THINKING + ANSWER);
  });
});

test('messages.create without stream: thinking and text blocks, usage; thinking disabled leaves only text', async () => {
  await withClient(async (client) => {
    const m = await client.messages.create(request);
    assert.deepEqual(m.content.map((b) => b.type), ['thinking', 'text']);
    assert.equal(words(m.content[1]?.type === 'text' ? m.content[1].text : ''), ANSWER);
    assert.equal(m.usage.output_tokens, THINKING + ANSWER);
    assert.equal(m.usage.input_tokens, PROMPT_TOKENS);

    const plain = await client.messages.create({ ...request, thinking: { type: 'disabled' } });
    assert.deepEqual(plain.content.map((b) => b.type), ['text']);
    assert.equal(plain.usage.output_tokens, ANSWER);
  });
});

test('the OpenAI-style /v1 URL given to the Anthropic SDK: a 404 naming the base URL to use', async () => {
  await withClient(async (_client, sim) => {
    const wrong = new Anthropic({ baseURL: sim.url, apiKey: 'sk-ant-sim', maxRetries: 0 });
    await assert.rejects(wrong.messages.create(request), (e: unknown) => {
      assert.ok(e instanceof Anthropic.NotFoundError);
      assert.match(e.message, /\/v1\/v1\/messages/);
      assert.ok(e.message.includes(`give the client the base URL without /v1: ${sim.baseUrls.anthropic}`), e.message);
      return true;
    });
  });
});

test('messages.stream() with a tool: input_json deltas become the tool_use input of finalMessage()', async () => {
  await withClient(async (client) => {
    const stream = client.messages.stream({
      ...request,
      tools: [{ name: 'search', input_schema: { type: 'object', properties: { query: { type: 'string' } } } }],
    });
    let json = '';
    stream.on('inputJson', (delta) => (json += delta));
    const final = await stream.finalMessage();
    assert.equal(final.stop_reason, 'tool_use');
    const use = final.content.find((b) => b.type === 'tool_use');
    assert.equal(use?.type === 'tool_use' ? use.name : undefined, 'search');
    assert.deepEqual(use?.type === 'tool_use' ? use.input : undefined, JSON.parse(json));
  });
});
