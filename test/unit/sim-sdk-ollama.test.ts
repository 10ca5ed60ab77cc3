// The official Ollama client (npm `ollama`) against the simulator over loopback, with the host the
// simulator names for it (sim.baseUrls.ollama, what `llmload sim` prints): chat and generate,
// streamed and not, with and without thinking, and the model calls list, show, ps and version.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ollama } from 'ollama';
import { estimatePromptTokens, startSimulator, type RunningSimulator, type SimProfile } from '../../src/core/sim/index';
import { fastProfile } from '../helpers/sim';

const THINKING = 4;
const ANSWER = 5;
const QUESTION = 'Name the capital of France.';
const PROMPT_TOKENS = estimatePromptTokens(QUESTION);
const words = (text: string): number => text.trim().split(/\s+/).filter((w) => w !== '').length;

async function withClient(fn: (client: Ollama, sim: RunningSimulator) => Promise<void>, profile: SimProfile = fastProfile([THINKING, THINKING], [ANSWER, ANSWER])): Promise<void> {
  const sim = await startSimulator({ profile, seed: 5, port: 0 });
  try {
    await fn(new Ollama({ host: sim.baseUrls.ollama }), sim);
  } finally {
    await sim.close();
  }
}

test('chat streamed with think: thinking records, answer records, and the done record with counts', async () => {
  await withClient(async (client, sim) => {
    assert.equal(sim.baseUrls.ollama, sim.url.replace(/\/v1$/, ''), 'the Ollama host is the root');
    const stream = await client.chat({ model: 'qwen3:sim', messages: [{ role: 'user', content: QUESTION }], stream: true, think: true });
    let thinking = '';
    let answer = '';
    let last: Awaited<ReturnType<typeof client.chat>> | undefined;
    let records = 0;
    for await (const part of stream) {
      records++;
      thinking += part.message.thinking ?? '';
      answer += part.message.content;
      last = part;
    }
    assert.equal(words(thinking), THINKING);
    assert.equal(words(answer), ANSWER);
    assert.equal(records, THINKING + ANSWER + 1);
    assert.equal(last?.done, true);
    assert.equal(last?.done_reason, 'stop');
    assert.equal(last?.model, 'qwen3:sim');
    assert.equal(last?.eval_count, THINKING + ANSWER);
    assert.equal(last?.prompt_eval_count, PROMPT_TOKENS);
    assert.ok(last!.total_duration > 0 && last!.eval_duration > 0);
  });
});

test('chat without stream: one message with thinking; think false and num_predict', async () => {
  await withClient(async (client) => {
    const r = await client.chat({ model: 'qwen3:sim', messages: [{ role: 'user', content: QUESTION }], think: true });
    assert.equal(words(r.message.thinking ?? ''), THINKING);
    assert.equal(words(r.message.content), ANSWER);
    assert.equal(r.eval_count, THINKING + ANSWER);
    assert.equal(r.done, true);

    const plain = await client.chat({ model: 'qwen3:sim', messages: [{ role: 'user', content: QUESTION }], think: false, options: { num_predict: 3 } });
    assert.equal(plain.message.thinking, undefined);
    assert.equal(words(plain.message.content), 3);
    assert.equal(plain.done_reason, 'length');
    assert.equal(plain.eval_count, 3);
  });
});

test('generate streamed and not: the answer in response, the thinking in thinking, the system prompt counted', async () => {
  await withClient(async (client) => {
    const stream = await client.generate({ model: 'qwen3:sim', prompt: QUESTION, stream: true, think: true });
    let thinking = '';
    let response = '';
    let done: Awaited<ReturnType<typeof client.generate>> | undefined;
    for await (const part of stream) {
      thinking += part.thinking ?? '';
      response += part.response ?? '';
      if (part.done) done = part;
    }
    assert.equal(words(thinking), THINKING);
    assert.equal(words(response), ANSWER);
    assert.equal(done?.eval_count, THINKING + ANSWER);
    assert.equal(done?.prompt_eval_count, PROMPT_TOKENS);

    const system = 'You answer in one word, always.';
    const whole = await client.generate({ model: 'qwen3:sim', prompt: QUESTION, system });
    assert.equal(words(whole.response ?? ''), ANSWER);
    assert.equal(words(whole.thinking ?? ''), THINKING);
    assert.equal(whole.done, true);
    assert.equal(whole.prompt_eval_count, estimatePromptTokens(`${system}\n${QUESTION}`));
  });
});

test('list, show, ps and version', async () => {
  await withClient(async (client, sim) => {
    const list = await client.list();
    assert.deepEqual(list.models.map((m) => m.name), [sim.profile.model]);
    assert.match(list.models[0]!.digest, /^[0-9a-f]{64}$/);
    assert.equal(list.models[0]!.details.format, 'gguf');

    const show = await client.show({ model: 'qwen3:sim' });
    assert.ok(show.capabilities.includes('completion'));
    assert.ok(show.capabilities.includes('thinking'), 'a reasoning profile can think');
    assert.equal(show.details.family, 'llmload-sim');

    const ps = await client.ps();
    assert.equal(ps.models[0]?.name, sim.profile.model);
    assert.ok(new Date(ps.models[0]!.expires_at).getTime() > Date.now(), 'loaded until a time in the future');

    assert.match((await client.version()).version, /^\d+\.\d+\.\d+$/);
  });
});

test('a model that does not think says so in show; errors reach the client as Ollama errors', async () => {
  await withClient(
    async (client, sim) => {
      const show = await client.show({ model: 'x' });
      assert.ok(!show.capabilities.includes('thinking'));
      await assert.rejects(client.show({ model: '' }), (e: Error & { status_code?: number }) => {
        assert.equal(e.status_code, 400);
        assert.match(e.message, /model is required/);
        return true;
      });
      await assert.rejects(client.delete({ model: 'x' }), (e: Error & { status_code?: number }) => {
        assert.equal(e.status_code, 404);
        assert.match(e.message, /no route for DELETE \/api\/delete/);
        return true;
      });
      const wrongMethod = await fetch(`${sim.baseUrls.ollama}/api/tags`, { method: 'POST', body: '{}' });
      assert.equal(wrongMethod.status, 405);
      assert.equal(wrongMethod.headers.get('allow'), 'GET');
      assert.match(((await wrongMethod.json()) as { error: string }).error, /use GET/);
      // The /v1 URL works too for the information calls, as it does for chat.
      const v1 = new Ollama({ host: sim.url });
      assert.equal((await v1.list()).models.length, 1);
    },
    fastProfile([0, 0], [ANSWER, ANSWER]),
  );
});
