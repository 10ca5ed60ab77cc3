// `llmload sim` prints a base URL for each SDK; a user copies them. This starts the real CLI on a
// free port, reads the printed URLs exactly as printed, and runs the official OpenAI, Anthropic and
// Ollama clients against them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { Ollama } from 'ollama';
import { startCli, tempDir } from '../helpers/cli';

test('the base URLs `llmload sim` prints work with the OpenAI, Anthropic and Ollama SDKs as printed', async () => {
  const sim = startCli(['sim', '--port', '0', '--profile', 'reasoning?decode_tokens_per_s=2000&thinking_tokens=3&answer_tokens=4'], tempDir());
  try {
    const banner = await new Promise<string>((resolve, reject) => {
      let out = '';
      sim.child.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        if (/WebSocket .*\n/.test(out)) resolve(out);
      });
      sim.child.once('exit', (code) => reject(new Error(`llmload sim exited (${code}): ${out}`)));
    });
    const printed = (re: RegExp): string => {
      const m = re.exec(banner);
      assert.ok(m, `${re} in:\n${banner}`);
      return m[1]!;
    };
    // The first line still names the URL a --target takes (the extension reads it).
    const target = printed(/listening on (\S+)/);
    const openaiUrl = printed(/OpenAI SDK\s+baseURL (\S+)/);
    const anthropicUrl = printed(/Anthropic SDK\s+baseURL (\S+)/);
    const ollamaHost = printed(/Ollama client\s+host\s+(\S+)/);
    assert.match(target, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    assert.equal(openaiUrl, target);
    assert.equal(anthropicUrl, target.replace(/\/v1$/, ''));

    const openai = new OpenAI({ baseURL: openaiUrl, apiKey: 'sk-sim', maxRetries: 0 });
    const r = await openai.responses.stream({ model: 'sim-reasoner', input: 'Hello' }).finalResponse();
    assert.equal(r.usage?.output_tokens, 7);
    assert.equal(r.output_text.trim().split(/\s+/).length, 4);

    const anthropic = new Anthropic({ baseURL: anthropicUrl, apiKey: 'sk-ant-sim', maxRetries: 0 });
    const m = await anthropic.messages.stream({ model: 'sim-reasoner', max_tokens: 64, messages: [{ role: 'user', content: 'Hello' }] }).finalMessage();
    assert.deepEqual(m.content.map((b) => b.type), ['thinking', 'text']);
    assert.equal(m.usage.output_tokens, 7);

    const ollama = new Ollama({ host: ollamaHost });
    const c = await ollama.chat({ model: 'sim-reasoner', messages: [{ role: 'user', content: 'Hello' }], think: true });
    assert.equal(c.eval_count, 7);
    assert.equal((await ollama.version()).version.split('.').length, 3);
  } finally {
    sim.child.kill('SIGINT');
    assert.equal((await sim.done).code, 0);
  }
});
