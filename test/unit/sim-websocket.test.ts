// The simulator's WebSocket endpoint (/v1/ws) over real loopback sockets, with the `ws` client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { defineProfile, startSimulator, type RunningSimulator, type SimProfile } from '../../src/core/sim/index';
import { fastProfile } from '../helpers/sim';

const FAST: SimProfile = fastProfile([3, 3], [4, 4]);

async function withSim(fn: (sim: RunningSimulator, wsUrl: string) => Promise<void>, profile: SimProfile = FAST): Promise<void> {
  const sim = await startSimulator({ profile, seed: 5 });
  try {
    await fn(sim, sim.url.replace(/^http/, 'ws') + '/ws');
  } finally {
    await sim.close();
  }
}

function connect(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Collects messages until `stop` says so or the socket closes; resolves with the messages and the close code, if any. */
function collect(ws: WebSocket, stop: (msgs: any[]) => boolean): Promise<{ msgs: any[]; closeCode?: number }> {
  return new Promise((resolve) => {
    const msgs: any[] = [];
    const onMessage = (data: WebSocket.RawData): void => {
      const text = data.toString();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = { unparseable: text };
      }
      msgs.push(parsed);
      if (stop(msgs)) {
        ws.off('message', onMessage);
        resolve({ msgs });
      }
    };
    ws.on('message', onMessage);
    ws.once('close', (code) => resolve({ msgs, closeCode: code }));
  });
}

/** A request in the `fields` reply format. */
const request = (extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ messages: [{ role: 'user', content: 'Hello' }], llmload_sim: { ws_format: 'fields' }, ...extra });
const isDone = (m: any): boolean => m.done === true || m.error !== undefined;

test('by default replies are openai-chat chunk objects, then a [DONE] text message', async () => {
  await withSim(async (_sim, url) => {
    const ws = await connect(url);
    const got = collect(ws, (m) => m.at(-1).unparseable === '[DONE]');
    ws.send(JSON.stringify({ messages: [{ role: 'user', content: 'Hello' }], request_id: 'x' }));
    const { msgs } = await got;
    const chunks = msgs.slice(0, -1);
    assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk' && c.request_id === 'x'));
    assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '' });
    const deltas = chunks.slice(1, -2).map((c) => Object.keys(c.choices[0].delta)[0]);
    assert.deepEqual(deltas, ['reasoning_content', 'reasoning_content', 'reasoning_content', 'content', 'content', 'content', 'content']);
    assert.equal(chunks.at(-2).choices[0].finish_reason, 'stop');
    assert.equal(chunks.at(-1).usage.completion_tokens, 7);
    ws.close();
  });
});

test('the fields format: start, thinking deltas, answer deltas and done with usage', async () => {
  await withSim(async (sim, url) => {
    const ws = await connect(url);
    const got = collect(ws, (m) => isDone(m.at(-1)));
    ws.send(request({ request_id: 'r1' }));
    const { msgs } = await got;
    assert.deepEqual(
      msgs.map((m) => m.event + (m.thinking ? ':thinking' : m.answer ? ':answer' : '')),
      ['start', 'delta:thinking', 'delta:thinking', 'delta:thinking', 'delta:answer', 'delta:answer', 'delta:answer', 'delta:answer', 'done'],
    );
    assert.ok(msgs.every((m) => m.request_id === 'r1' && m.id === msgs[0].id));
    assert.match(msgs[0].id, /^ws-sim-\d+$/);
    assert.deepEqual(msgs.at(-1).usage, { prompt_tokens: 2, cached_tokens: 0, completion_tokens: 7, reasoning_tokens: 3 });
    assert.equal(msgs.at(-1).finish_reason, 'stop');
    assert.equal(sim.sendLog(msgs[0].id)!.length, msgs.length);
    ws.close();
  });
});

test('several requests share one connection; a bad message gets an error and the connection stays open', async () => {
  await withSim(async (_sim, url) => {
    const ws = await connect(url);
    const got = collect(ws, (m) => m.filter(isDone).length === 3);
    ws.send('{not json');
    ws.send(request({ request_id: 'a' }));
    ws.send(request({ request_id: 'b', max_tokens: 2 }));
    const { msgs } = await got;
    const error = msgs.find((m) => m.error !== undefined);
    assert.equal(error.error.code, 400);
    const doneA = msgs.find((m) => m.done && m.request_id === 'a');
    const doneB = msgs.find((m) => m.done && m.request_id === 'b');
    assert.equal(doneA.finish_reason, 'stop');
    assert.equal(doneB.finish_reason, 'length');
    assert.notEqual(doneA.id, doneB.id);
    assert.equal(ws.readyState, WebSocket.OPEN);
    ws.close();
  });
});

test('an http_429 fault header refuses the handshake with 429 and retry-after', async () => {
  await withSim(async (_sim, url) => {
    const status = await new Promise<{ code?: number; retry?: string }>((resolve) => {
      const ws = new WebSocket(url, { headers: { 'x-llmload-sim-fault': 'http_429' } });
      ws.on('unexpected-response', (_req, res) => {
        resolve({ code: res.statusCode, retry: res.headers['retry-after'] as string });
        res.resume();
        ws.terminate();
      });
      ws.on('error', () => undefined);
    });
    assert.deepEqual(status, { code: 429, retry: '1' });
  });
});

test('faults named in a message: stream_error, disconnect, reset', async () => {
  await withSim(async (_sim, url) => {
    const ws1 = await connect(url);
    const err = collect(ws1, (m) => isDone(m.at(-1)));
    ws1.send(request({ fault: 'stream_error' }));
    const e = await err;
    assert.equal(e.msgs.at(-1).event, 'error');
    assert.equal(e.msgs.at(-1).error.type, 'server_error');
    assert.ok(!e.msgs.some((m) => m.done));
    ws1.close();

    const ws2 = await connect(url);
    const disc = collect(ws2, () => false);
    ws2.send(request({ fault: 'disconnect' }));
    const d = await disc;
    assert.equal(d.closeCode, 1000);
    assert.ok(!d.msgs.some((m) => m.done));
    assert.equal(d.msgs.filter((m) => m.event === 'delta').length, 3);

    const ws3 = await connect(url);
    ws3.on('error', () => undefined);
    const reset = collect(ws3, () => false);
    ws3.send(request({ fault: 'reset' }));
    const r = await reset;
    assert.equal(r.closeCode, 1006, 'abnormal closure: no close frame');
  });
});

test('ping messages arrive while the first token is prefilled', async () => {
  await withSim(
    async (_sim, url) => {
      const ws = await connect(url);
      const got = collect(ws, (m) => isDone(m.at(-1)));
      ws.send(JSON.stringify({ messages: [{ role: 'user', content: 'z'.repeat(1200) }], llmload_sim: { ws_format: 'fields' } }));
      const { msgs } = await got;
      const first = msgs.findIndex((m) => m.event === 'delta');
      assert.equal(msgs[0].event, 'start');
      assert.ok(first > 1);
      assert.ok(msgs.slice(1, first).every((m) => m.event === 'ping'));
      ws.close();
    },
    defineProfile(FAST, { prefill_tokens_per_s: 1000, keepalive_interval_ms: 10 }),
  );
});

test('close() ends an open WebSocket stream', async () => {
  const sim = await startSimulator({ profile: defineProfile(FAST, { decode_tokens_per_s: 10, answer_tokens: [100, 100] }) });
  const ws = await connect(sim.url.replace(/^http/, 'ws') + '/ws');
  ws.on('error', () => undefined);
  const got = collect(ws, () => false);
  ws.send(request());
  await new Promise((r) => setTimeout(r, 50));
  await sim.close();
  const { msgs, closeCode } = await got;
  assert.ok(closeCode !== undefined);
  assert.ok(!msgs.some((m) => m.done));
});

test('the base URL of a builtin target (/v1) also upgrades', async () => {
  await withSim(async (sim) => {
    const ws = await connect(sim.url.replace(/^http/, 'ws'));
    const got = collect(ws, (m) => isDone(m.at(-1)));
    ws.send(request());
    const { msgs } = await got;
    assert.equal(msgs.at(-1).done, true);
    ws.close();
  });
});
