// The simulator's send log (the server side of the self-checking clock), admission queueing,
// and many concurrent streams on one process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { defineProfile, startSimulator, type SimProfile } from '../../src/core/sim/index';

const FAST: SimProfile = defineProfile('reasoning', {
  name: 'fast',
  decode_tokens_per_s: 1000,
  prefill_tokens_per_s: 1_000_000,
  overhead_ms: 0,
  keepalive_interval_ms: 0,
  thinking_tokens: [5, 5],
  answer_tokens: [10, 10],
});

const wallClock = (): number => performance.timeOrigin + performance.now();
const chatBody = { messages: [{ role: 'user', content: 'Hello' }], stream: true, stream_options: { include_usage: true } };

test('the send log has one time per frame, each at or before the client saw that frame', async (t) => {
  const sim = await startSimulator({ profile: FAST });
  try {
    const res = await fetch(`${sim.url}/chat/completions`, { method: 'POST', body: JSON.stringify(chatBody) });
    const id = res.headers.get('x-llmload-sim-response-id')!;
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const arrivals: number[] = [];
    let buffer = '';
    for (;;) {
      const r = await reader.read();
      const at = wallClock();
      if (r.done) break;
      buffer += decoder.decode(r.value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        buffer = buffer.slice(end + 2);
        arrivals.push(at);
      }
    }
    const sent = sim.sendLog(id);
    assert.ok(sent, 'the response is in the log');
    // role + 5 thinking + 10 answer + finish + usage + [DONE]
    assert.equal(sent.length, 19);
    assert.equal(arrivals.length, sent.length);
    for (let i = 0; i < sent.length; i++) {
      assert.ok(arrivals[i] >= sent[i], `frame ${i} arrived after it was sent`);
      if (i > 0) assert.ok(sent[i] >= sent[i - 1], 'send times are in order');
    }
    const lags = sent.map((s, i) => arrivals[i] - s).sort((a, b) => a - b);
    t.diagnostic(`send->arrival lag ms: p50 ${lags[Math.floor(lags.length / 2)].toFixed(3)}, max ${lags.at(-1)!.toFixed(3)}`);
    assert.equal(sim.sendLog('chatcmpl-sim-999'), undefined);
  } finally {
    await sim.close();
  }
});

test('the send log says when the request arrived whole: after its last byte was written, before the first frame', async () => {
  const sim = await startSimulator({ profile: FAST });
  try {
    const body = JSON.stringify(chatBody);
    const sentHead = wallClock();
    let bodyWritten = 0;
    const { id, done } = await new Promise<{ id: string; done: Promise<void> }>((resolve, reject) => {
      const req = http.request(`${sim.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        const done = new Promise<void>((r) => res.on('end', () => r()).resume());
        resolve({ id: String(res.headers['x-llmload-sim-response-id']), done });
      });
      req.on('error', reject);
      // the head goes first; the body only after the server has had time to see the head alone
      req.flushHeaders();
      setTimeout(() => {
        bodyWritten = wallClock();
        req.end(body);
      }, 50);
    });
    await done;
    const received = sim.receivedAt(id);
    const sent = sim.sendLog(id)!;
    assert.ok(received !== undefined, 'the request time is in the log');
    assert.ok(received >= bodyWritten, `stamped when the body had come (${received - sentHead} ms after the head was sent), not at the head`);
    assert.ok(received <= sent[0]!, 'before the first frame was sent');
    assert.equal(sim.receivedAt('chatcmpl-sim-999'), undefined);
  } finally {
    await sim.close();
  }
});

test('the send log keeps only the last N responses', async () => {
  const sim = await startSimulator({ profile: FAST, sendLogCapacity: 2 });
  try {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${sim.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ ...chatBody, stream: false }) });
      ids.push(((await res.json()) as any).id);
    }
    assert.equal(sim.sendLog(ids[0]), undefined);
    assert.equal(sim.sendLog(ids[1]), undefined);
    assert.equal(sim.sendLog(ids[2])!.length, 1, 'a non-streaming response is one send');
    assert.equal(sim.sendLog(ids[3])!.length, 1);
  } finally {
    await sim.close();
  }
});

test('max_concurrency queues a request until a slot frees: its first token follows the other response', async () => {
  const sim = await startSimulator({ profile: defineProfile(FAST, { max_concurrency: 1, keepalive_interval_ms: 5 }) });
  try {
    const send = () => fetch(`${sim.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ ...chatBody, messages: [{ role: 'user', content: 'q' }] }) });
    const [a, b] = await Promise.all([send(), send()]);
    const [ta, tb] = await Promise.all([a.text(), b.text()]);
    const ia = a.headers.get('x-llmload-sim-response-id')!;
    const ib = b.headers.get('x-llmload-sim-response-id')!;
    const [first, second, secondText] = ia < ib ? [sim.sendLog(ia)!, sim.sendLog(ib)!, tb] : [sim.sendLog(ib)!, sim.sendLog(ia)!, ta];
    const frames = secondText.split('\n\n').filter((f) => f !== '');
    const firstToken = frames.findIndex((f) => f.includes('reasoning_content'));
    assert.ok(frames.slice(1, firstToken).every((f) => f === ': keep-alive'), 'the queued request got keep-alives');
    assert.ok(second[firstToken] >= first.at(-1)!, 'the queued request started after the first finished');
    assert.ok(ta.endsWith('data: [DONE]\n\n') && tb.endsWith('data: [DONE]\n\n'));
  } finally {
    await sim.close();
  }
});

test('300 concurrent slow streams all complete with every token', async () => {
  const sim = await startSimulator({ profile: defineProfile(FAST, { decode_tokens_per_s: 100, thinking_tokens: [0, 0], answer_tokens: [20, 20] }) });
  try {
    const one = async (i: number): Promise<number> => {
      const res = await fetch(`${sim.url}/chat/completions`, {
        method: 'POST',
        body: JSON.stringify({ messages: [{ role: 'user', content: `question ${i}` }], stream: true }),
      });
      const text = await res.text();
      assert.ok(text.endsWith('data: [DONE]\n\n'));
      return text.split('\n\n').filter((f) => f.includes('"content":"') && !f.includes('"role"')).length;
    };
    const counts = await Promise.all(Array.from({ length: 300 }, (_, i) => one(i)));
    assert.ok(counts.every((c) => c === 20), 'every stream carried its 20 answer tokens');
  } finally {
    await sim.close();
  }
});

test('decode keeps the profile rate on average: timer lateness does not add up', async () => {
  const sim = await startSimulator({ profile: defineProfile(FAST, { decode_tokens_per_s: 50, jitter: 0, thinking_tokens: [0, 0], answer_tokens: [40, 40] }) });
  try {
    const res = await fetch(`${sim.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ ...chatBody, stream_options: undefined }) });
    const id = res.headers.get('x-llmload-sim-response-id')!;
    await res.text();
    const sent = sim.sendLog(id)!;
    // Frames: role, 40 tokens, finish, [DONE]. 39 decode gaps of 20 ms between the first and last token.
    const span = sent[40] - sent[1];
    assert.ok(span >= 39 * 20 * 0.97, `tokens came faster than the profile rate: ${span.toFixed(1)} ms`);
    assert.ok(span <= 39 * 20 * 1.5, `decode took ${span.toFixed(1)} ms for 780 ms of tokens`);
  } finally {
    await sim.close();
  }
});
