// The mirror's pure parts: conversation ids and sampling, the shadow's headers, prompt hashing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConversationSampler, conversationId, parseSampleFraction } from '../../src/core/mirror/sampler';
import { bodyFacts, apiOfPath } from '../../src/core/mirror/routes';
import { keyHashOf, publicPath, SecretRegistry, shadowRequest } from '../../src/core/mirror/secrets';
import { promptsAs } from '../../src/core/mirror/capture';
import { shadowKeyOf } from '../../src/cli/mirror';
import { ConversationThreads } from '../../src/core/mirror/threads';

test('every turn of a chat has one conversation id; the user field wins; the key separates equal prompts', () => {
  const turn1 = { messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'Q1' }] };
  const turn2 = { messages: [...turn1.messages, { role: 'assistant', content: 'A1' }, { role: 'user', content: 'Q2' }] };
  assert.equal(conversationId(bodyFacts(turn1), 'k1'), conversationId(bodyFacts(turn2), 'k1'));
  assert.notEqual(conversationId(bodyFacts(turn1), 'k1'), conversationId(bodyFacts(turn1), 'k2'));
  assert.equal(conversationId(bodyFacts({ ...turn1, user: 'u7' }), 'k1'), conversationId(bodyFacts({ messages: [{ role: 'user', content: 'other' }], user: 'u7' }), 'k2'));
  assert.match(conversationId(bodyFacts(turn1), undefined), /^c-[0-9a-f]{16}$/);
  assert.equal(keyHashOf({ authorization: 'Bearer a' }), keyHashOf({ authorization: 'Bearer a' }));
  assert.notEqual(keyHashOf({ authorization: 'Bearer a' }), keyHashOf({ authorization: 'Bearer b' }));
});

test('sampling is deterministic and takes about the asked share of conversations', () => {
  const s = new ConversationSampler(0.1);
  const ids = Array.from({ length: 5000 }, (_, i) => `c-${i}`);
  const a = ids.filter((id) => s.sampled(id));
  assert.deepEqual(ids.filter((id) => new ConversationSampler(0.1).sampled(id)), a);
  assert.ok(a.length > 350 && a.length < 650, `${a.length} of 5000`);
  // A larger share keeps every conversation a smaller one took.
  const big = new ConversationSampler(0.3);
  assert.ok(a.every((id) => big.sampled(id)));
  assert.equal(parseSampleFraction('10%'), 0.1);
  assert.equal(parseSampleFraction('0.25'), 0.25);
  assert.throws(() => parseSampleFraction('150%'), /--sample takes a share/);
  assert.throws(() => parseSampleFraction('ten'), /e\.g\. 10%/);
});

test('the shadow gets no client credential, only its own key in the header style the client used', () => {
  const h = { authorization: 'Bearer sk-client', cookie: 'c=1', 'x-org-token': 't', 'content-type': 'application/json' };
  assert.deepEqual(shadowRequest(h, '/v1/chat/completions', undefined).headers, { 'content-type': 'application/json' });
  assert.equal(shadowRequest(h, '/v1/x', 'sk-shadow').headers.authorization, 'Bearer sk-shadow');
  assert.deepEqual(shadowRequest({ 'x-api-key': 'sk-ant' }, '/v1/messages', 'sk-shadow').headers, { 'x-api-key': 'sk-shadow' });
  assert.equal(shadowRequest({}, '/v1/x?key=abc&a=1', undefined).path, '/v1/x?a=1');
  assert.equal(publicPath('/v1/x?api_key=abcdef&a=1'), '/v1/x?api_key=redacted&a=1');
  const reg = new SecretRegistry();
  reg.fromRequest({ authorization: 'Bearer sk-abcdef', 'x-api-key': 'zz-secret' }, '/v1/x?key=qs-secret-1');
  assert.equal(reg.redactor.text('a sk-abcdef b zz-secret c qs-secret-1'), 'a [redacted] b [redacted] c [redacted]');
  assert.equal(shadowKeyOf('MY_SHADOW_KEY', { MY_SHADOW_KEY: 'from-env' }), 'from-env');
  assert.equal(shadowKeyOf('sk-literal', {}), 'sk-literal');
});

test('--keep-prompts hash and drop change prompt text only', () => {
  const body = { model: 'm', max_tokens: 5, system: 'sys', messages: [{ role: 'user', content: 'secret plan' }, { role: 'user', content: [{ type: 'text', text: 'part' }] }] };
  const hashed = promptsAs(body, 'hash') as typeof body;
  assert.equal(hashed.model, 'm');
  assert.equal(hashed.max_tokens, 5);
  assert.equal(hashed.messages[0]!.role, 'user');
  assert.match(hashed.messages[0]!.content as string, /^sha256:[0-9a-f]{16}$/);
  assert.match(hashed.system, /^sha256:/);
  assert.ok(!JSON.stringify(hashed).includes('secret plan') && !JSON.stringify(hashed).includes('part'));
  const dropped = promptsAs(body, 'drop') as typeof body;
  assert.equal(dropped.messages[0]!.content, '');
  assert.equal(promptsAs(body, 'keep'), body);
});

test('API paths are recognized; other methods and paths are not timed', () => {
  assert.equal(apiOfPath('POST', '/v1/chat/completions'), 'openai-chat');
  assert.equal(apiOfPath('POST', '/v1/completions?x=1'), 'openai-completions');
  assert.equal(apiOfPath('POST', '/v1/messages'), 'anthropic');
  assert.equal(apiOfPath('POST', '/api/chat'), 'ollama');
  assert.equal(apiOfPath('POST', '/generate_stream'), 'tgi');
  assert.equal(apiOfPath('GET', '/v1/models'), undefined);
  assert.equal(apiOfPath('POST', '/v1/embeddings'), undefined);
});

test('capture threads: a turn continues the request whose messages are its history; equal first turns are separate threads', () => {
  const t = new ConversationThreads();
  const first = [{ role: 'system', content: 'S' }, { role: 'user', content: 'Q' }];
  const a = t.threadOf({ messages: first }, 'c-x');
  const b = t.threadOf({ messages: first }, 'c-x');
  assert.equal(a, 'c-x');
  assert.equal(b, 'c-x.2');
  // b's first turn was the latest with that history: a second turn continues it, and a second turn of the other answer too.
  const second = [...first, { role: 'assistant', content: 'A' }, { role: 'user', content: 'Q2' }];
  assert.equal(t.threadOf({ messages: second }, 'c-x'), b);
  const third = [...second, { role: 'assistant', content: 'A2' }, { role: 'user', content: 'Q3' }];
  assert.equal(t.threadOf({ messages: third }, 'c-x'), b);
  // A history nobody sent starts a thread; a completion prompt is a thread of its own.
  assert.equal(t.threadOf({ messages: [{ role: 'user', content: 'Z' }, { role: 'assistant', content: '?' }, { role: 'user', content: 'Z2' }] }, 'c-y'), 'c-y');
  assert.equal(t.threadOf({ prompt: 'p' }, 'c-y'), 'c-y.2');
});
