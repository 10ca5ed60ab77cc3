// Every HTTP API over real loopback sockets: a node:http server in the test plays a fixture stream
// (one write per event, with pauses), or cuts it with a reset, or stalls. The client's result must
// equal what the pure decoder makes of the same bytes, and each failure must get its own kind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type ClientOptions, type ClientPlan } from '../../src/core/protocols';
import type { ApiKind, PromptPlan } from '../../src/core/scenario/plan';
import { canonical, decodeSplit, fixture, CUSTOM_SSE } from '../fixtures/streams/helpers';

interface ApiCase {
  api: ApiKind;
  ok: string;
  err: string;
  contentType: string;
  /** Path the client must request below the base URL. */
  path: string;
  opts?: ClientOptions;
  /** Checks on the request body the client sent. */
  checkBody: (body: Record<string, unknown>, headers: IncomingMessage['headers']) => void;
}

const CASES: ApiCase[] = [
  {
    api: 'openai-chat',
    ok: 'openai-chat-reasoning.sse',
    err: 'openai-chat-error-midstream.sse',
    contentType: 'text/event-stream',
    path: '/v1/chat/completions',
    checkBody: (b, h) => {
      assert.deepEqual(b.stream_options, { include_usage: true });
      assert.equal(b.max_tokens, 32);
      assert.equal(h.authorization, 'Bearer k');
    },
  },
  {
    api: 'openai-completions',
    ok: 'openai-completions.sse',
    err: 'openai-chat-error-midstream.sse',
    contentType: 'text/event-stream',
    path: '/v1/completions',
    checkBody: (b) => {
      assert.equal(b.prompt, 'You are terse.\n\nHi');
      assert.deepEqual(b.stream_options, { include_usage: true });
    },
  },
  {
    api: 'openai-responses',
    ok: 'openai-responses-reasoning.sse',
    err: 'openai-responses-failed.sse',
    contentType: 'text/event-stream',
    path: '/v1/responses',
    checkBody: (b) => {
      assert.equal(b.max_output_tokens, 32);
      assert.deepEqual(b.input, [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Hi' },
      ]);
      assert.equal(b.stream, true);
    },
  },
  {
    api: 'anthropic',
    ok: 'anthropic-thinking.sse',
    err: 'anthropic-overloaded.sse',
    contentType: 'text/event-stream',
    path: '/v1/messages',
    checkBody: (b, h) => {
      assert.equal(b.system, 'You are terse.');
      assert.deepEqual(b.messages, [{ role: 'user', content: 'Hi' }]);
      assert.equal(b.max_tokens, 32);
      assert.equal(h['x-api-key'], 'k');
      assert.equal(h['anthropic-version'], '2023-06-01');
      assert.equal(h.authorization, undefined);
    },
  },
  {
    api: 'ollama',
    ok: 'ollama-thinking.ndjson',
    err: 'ollama-error.ndjson',
    contentType: 'application/x-ndjson',
    path: '/api/chat',
    checkBody: (b) => {
      assert.deepEqual(b.options, { num_predict: 32, temperature: 0.2 });
      assert.equal(b.stream, true);
    },
  },
  {
    api: 'tgi',
    ok: 'tgi.sse',
    err: 'tgi-error.sse',
    contentType: 'text/event-stream',
    path: '/generate_stream',
    checkBody: (b) => {
      assert.equal(b.inputs, 'You are terse.\n\nHi');
      assert.deepEqual(b.parameters, { details: true, max_new_tokens: 32, temperature: 0.2 });
    },
  },
  {
    api: 'sse',
    ok: 'sse-custom.sse',
    err: 'sse-custom-error.sse',
    contentType: 'text/event-stream',
    path: '/generate',
    opts: { sse: { ...CUSTOM_SSE, path: '/generate', body: { q: '{{prompt}}', m: '{{model}}', n: '{{max_tokens}}', msgs: '{{messages}}' } } },
    checkBody: (b) => {
      assert.deepEqual(b, {
        q: 'You are terse.\n\nHi',
        m: 'model-x',
        n: 32,
        msgs: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'Hi' },
        ],
      });
    },
  },
];

/** Events of a fixture, each with its terminator: blank-line separated for SSE, lines for NDJSON. */
function events(name: string): Buffer[] {
  const text = fixture(name).toString('utf8');
  const parts = name.endsWith('.ndjson') ? text.split(/(?<=\n)/) : text.split(/(?<=\n\n)/);
  return parts.filter((p) => p.length > 0).map((p) => Buffer.from(p));
}

const received: { url: string; body: Record<string, unknown>; headers: IncomingMessage['headers'] }[] = [];
let server: Server;
let base = '';

async function play(res: ServerResponse, ct: string, parts: Buffer[], then: 'end' | 'reset' | 'stall'): Promise<void> {
  res.socket?.setNoDelay(true);
  res.writeHead(200, { 'content-type': ct });
  for (const p of parts) {
    if (res.destroyed) return;
    await new Promise<void>((resolve) => res.write(p, () => resolve()));
    await sleep(4);
  }
  if (then === 'end') res.end();
  else if (then === 'reset') {
    // Client and server share this event loop: let one poll phase read what was sent, since a
    // TCP reset makes the kernel drop bytes the client has not read yet.
    await new Promise((resolve) => setImmediate(resolve));
    res.socket?.resetAndDestroy();
  }
  else {
    for (let i = 0; i < 150 && !res.destroyed; i++) await sleep(20); // bounded: 3 s
    res.end();
  }
}

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const [, api, mode] = (req.url ?? '').split('/');
      const c = CASES.find((x) => x.api === api);
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        // checked by the test
      }
      received.push({ url: req.url ?? '', body, headers: req.headers });
      if (!c) {
        res.writeHead(404).end();
        return;
      }
      const ok = events(c.ok);
      const half = ok.slice(0, Math.ceil(ok.length / 2));
      const run =
        mode === 'ok' ? play(res, c.contentType, ok, 'end')
        : mode === 'err' ? play(res, c.contentType, events(c.err), 'end')
        : mode === 'reset' ? play(res, c.contentType, half, 'reset')
        : mode === 'stall' ? play(res, c.contentType, half, 'stall')
        : Promise.resolve(void res.writeHead(404).end());
      run.catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const prompt: PromptPlan = {
  name: 'p',
  weight: 1,
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Hi' },
  ],
  params: { max_tokens: 32, temperature: 0.2 },
};

async function send(c: ApiCase, mode: string, timeouts: ClientPlan['timeouts'] = { total_ms: 5000 }) {
  const rootPath = c.api === 'ollama' || c.api === 'tgi' || c.api === 'sse' ? '' : '/v1';
  const client = createClient({ api: c.api, model: 'model-x', timeouts, headers: {}, key: 'k' }, `${base}/${c.api}/${mode}${rootPath}`, { ...c.opts, connections: 2 });
  try {
    return await client.send(prompt);
  } finally {
    await client.close();
  }
}

for (const c of CASES) {
  test(`${c.api}: a normal stream over a socket equals the decoder's result, with TTFT <= TTFA`, async () => {
    const r = await send(c, 'ok');
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    assert.equal(r.http_status, 200);
    assert.deepEqual(canonical(r), canonical(decodeSplit(c.api, fixture(c.ok), [], c.opts)));
    const req = received.findLast((x) => x.url.startsWith(`/${c.api}/ok`))!;
    assert.equal(req.url, `/${c.api}/ok${c.path}`);
    c.checkBody(req.body, req.headers);
    const firstOutput = r.packets.find((p) => p.kind === 'thinking' || p.kind === 'answer')!;
    const firstAnswer = r.packets.find((p) => p.kind === 'answer')!;
    assert.ok(firstOutput.t_ms <= firstAnswer.t_ms);
    // Events were written apart: the last packet arrived after the first output packet.
    assert.ok(r.packets.at(-1)!.t_ms > firstOutput.t_ms);
    assert.ok(r.usage && (r.usage.completion_tokens ?? 0) > 0);
  });

  test(`${c.api}: an error mid-stream is stream_error and keeps the packets before it`, async () => {
    const r = await send(c, 'err');
    assert.equal(r.error?.kind, 'stream_error');
    assert.equal(r.complete, false);
    assert.equal(r.packets.at(-1)!.kind, 'error');
    assert.ok(r.answer_text.length > 0);
  });

  test(`${c.api}: a reset mid-stream is disconnect, packets kept`, async () => {
    const r = await send(c, 'reset');
    assert.equal(r.error?.kind, 'disconnect');
    assert.equal(r.complete, false);
    assert.ok(r.packets.length > 0);
  });

  test(`${c.api}: a stall mid-stream is timeout_stall, packets kept`, async () => {
    const r = await send(c, 'stall', { total_ms: 5000, stall_ms: 150 });
    assert.equal(r.error?.kind, 'timeout_stall');
    assert.ok(r.packets.length > 0);
  });
}
