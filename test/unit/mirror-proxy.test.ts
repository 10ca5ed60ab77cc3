// `llmload mirror` on loopback: stand-in primaries and shadows (fixed SSE bytes, a stall, a reset,
// a 500, a key echo) and the built-in simulator. The client's stream must be the primary's bytes,
// whatever the shadow does; sampled conversations reach the shadow whole; secrets reach no file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { readRecords } from '../helpers/records';
import { startMirror, type MirrorOptions } from '../../src/core/mirror/session';
import { ConversationSampler, conversationId } from '../../src/core/mirror/sampler';
import { bodyFacts } from '../../src/core/mirror/routes';
import { startSimulator } from '../../src/core/sim';
import { readRunFolder, siblingRuns } from '../../src/core/viewmodel/run-folder';
import { compareRunFolders } from '../../src/core/compare/runs';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-mirror-'));
}

/** The stand-in's answer: SSE events of an OpenAI chat stream, each written as its own chunk. */
function sseEvents(words: string[], extra = ''): string[] {
  const ev = (o: unknown): string => `data: ${JSON.stringify(o)}\n\n`;
  return [
    ev({ id: 'r1', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }),
    ...words.map((w) => ev({ id: 'r1', choices: [{ index: 0, delta: { content: w + extra }, finish_reason: null }] })),
    ev({ id: 'r1', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
    'data: [DONE]\n\n',
  ];
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

interface StandIn {
  url: string;
  requests: Array<{ headers: http.IncomingHttpHeaders; body: string; path: string }>;
  /** Responses whose connection closed before they ended. */
  cut: number;
  close(): Promise<void>;
}

async function standIn(handler: Handler): Promise<StandIn> {
  const sockets = new Set<import('node:net').Socket>();
  const s: StandIn = { url: '', requests: [], cut: 0, close: async () => {} };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      s.requests.push({ headers: req.headers, body, path: req.url ?? '' });
      res.on('close', () => {
        if (!res.writableFinished) s.cut++;
      });
      handler(req, res, body);
    });
  });
  server.on('connection', (c) => {
    sockets.add(c);
    c.on('close', () => sockets.delete(c));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  s.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  s.close = () =>
    new Promise<void>((r) => {
      for (const c of sockets) c.destroy();
      server.close(() => r());
    });
  return s;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Streams the events one write each, a few ms apart. */
function streaming(events: string[], gap = 3): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'x-upstream': 'primary' });
    let i = 0;
    const next = (): void => {
      if (res.destroyed) return;
      if (i >= events.length) return void res.end();
      res.write(events[i++]);
      setTimeout(next, gap);
    };
    next();
  };
}

const CHAT = (content: string, extra: Record<string, unknown> = {}) => JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content }], ...extra });

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const r = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: r.status, text: await r.text(), headers: r.headers };
}

async function mirrorOf(primary: string, shadow: string, extra: Partial<MirrorOptions> = {}) {
  const out = tmp();
  const m = await startMirror({ primary, shadow, sample: 1, out, ...extra });
  return { m, out };
}

test('the client gets the primary byte for byte while the shadow stalls, resets or answers 500; the shadow records say so', async () => {
  const events = sseEvents(['Hello', ' there', ', friend']);
  const primary = await standIn(streaming(events));
  const direct = await post(primary.url, CHAT('hi'));
  const shadows: Record<string, Handler> = {
    stall: (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(events[0]);
    },
    reset: (req) => req.socket.destroy(),
    http500: (_q, res) => res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"boom"}}'),
  };
  const expectKind: Record<string, string> = { stall: 'timeout_stall', reset: 'disconnect', http500: 'http_5xx' };
  for (const [name, handler] of Object.entries(shadows)) {
    const shadow = await standIn(handler);
    const { m, out } = await mirrorOf(primary.url, shadow.url, { shadowStallMs: name === 'stall' ? 1500 : 300 });
    const viaProxy = [];
    for (let i = 0; i < 3; i++) viaProxy.push(await post(m.url, CHAT(`hi ${i}`)));
    for (const r of viaProxy) {
      assert.equal(r.status, 200, name);
      assert.equal(r.text, direct.text, `${name}: the stream differs from a direct call`);
      assert.equal(r.text, events.join(''));
      assert.equal(r.headers.get('x-upstream'), 'primary');
    }
    if (name === 'stall') {
      // The client had its three answers while every copy was still open on the shadow.
      assert.equal(m.counts().shadow_sent, 3);
      assert.equal(fs.readFileSync(path.join(out, 'shadow', 'requests.jsonl'), 'utf8'), '', 'a shadow copy finished before the client had its answers');
    }
    const summary = await m.close({ waitShadowMs: 10_000 });
    assert.equal(summary.requests.shadow_sent, 3, name);
    const shadowRecs = readRecords(path.join(out, 'shadow', 'requests.jsonl'));
    assert.equal(shadowRecs.length, 3, name);
    for (const r of shadowRecs) assert.equal(r.error?.kind, expectKind[name], `${name}: ${JSON.stringify(r.error)}`);
    const primaryRecs = readRecords(path.join(out, 'primary', 'requests.jsonl'));
    assert.deepEqual(
      primaryRecs.map((r) => [r.status, r.side, r.output_tokens]),
      [0, 1, 2].map(() => ['ok', 'primary', 3]),
    );
    assert.equal(summary.error_rate.primary, 0);
    assert.equal(summary.error_rate.shadow, 1);
    await shadow.close();
  }
  await primary.close();
});

test('a client that disconnects mid-stream cancels the primary request, and the record says cancelled', async () => {
  // An endless stream: only a cancel ends it.
  const primary = await standIn((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const tick = setInterval(() => {
      if (res.destroyed) return clearInterval(tick);
      res.write(`data: ${JSON.stringify({ id: 'r', choices: [{ index: 0, delta: { content: 'x' }, finish_reason: null }] })}\n\n`);
    }, 5);
  });
  const shadow = await standIn(streaming(sseEvents(['a'])));
  const { m, out } = await mirrorOf(primary.url, shadow.url, { sample: 0 });
  const ac = new AbortController();
  const r = await fetch(`${m.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: CHAT('go on'), signal: ac.signal });
  const reader = r.body!.getReader();
  await reader.read();
  await reader.read();
  ac.abort();
  for (let i = 0; i < 200 && primary.cut === 0; i++) await sleep(10);
  assert.equal(primary.cut, 1, 'the primary stream was not cut');
  await m.close();
  const recs = readRecords(path.join(out, 'primary', 'requests.jsonl'));
  assert.equal(recs.length, 1);
  assert.equal(recs[0]!.error?.kind, 'cancelled');
  assert.ok((recs[0]!.packets.answer ?? 0) >= 1, 'the packets before the cancel are kept');
  const summary = JSON.parse(fs.readFileSync(path.join(out, 'primary', 'summary.json'), 'utf8'));
  assert.equal(summary.requests.cancelled, 1);
  assert.equal(shadow.requests.length, 0, 'sample 0% sends nothing to the shadow');
  await primary.close();
  await shadow.close();
});

test('no secret header value is written: the primary gets the client key, the shadow only its own; echoes are redacted', async () => {
  const KEY = 'sk-live-client-7f3e9a21c4b8';
  const SHADOW_KEY = 'sk-shadow-test-55d0e1aa';
  const COOKIE = 'session=cookie-secret-0a9b8c7d';
  // Both servers echo the Authorization header into the answer, one character group per event.
  const echo: Handler = (req, res) => {
    const auth = String(req.headers.authorization ?? '');
    streaming(sseEvents([auth.slice(0, 12), auth.slice(12), ' done']))(req, res, '');
  };
  const primary = await standIn(echo);
  const shadow = await standIn(echo);
  const cap = path.join(tmp(), 'capture.jsonl');
  const { m, out } = await mirrorOf(primary.url, shadow.url, { shadowKey: SHADOW_KEY, capture: cap, keepPrompts: 'keep' });
  const r = await post(m.url, CHAT(`my key is ${KEY}`), { authorization: `Bearer ${KEY}`, cookie: COOKIE, 'x-api-key': KEY });
  assert.ok(r.text.includes(KEY.slice(0, 5)), 'the client sees its own echo');
  await m.close();
  assert.equal(primary.requests[0]!.headers.authorization, `Bearer ${KEY}`);
  assert.equal(primary.requests[0]!.headers.cookie, COOKIE);
  assert.equal(shadow.requests[0]!.headers.authorization, `Bearer ${SHADOW_KEY}`);
  assert.equal(shadow.requests[0]!.headers.cookie, undefined);
  assert.equal(shadow.requests[0]!.headers['x-api-key'], undefined);
  const files: string[] = [cap];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) e.isDirectory() ? walk(path.join(d, e.name)) : files.push(path.join(d, e.name));
  };
  walk(out);
  assert.ok(files.length >= 11, files.join(', '));
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    for (const secret of [KEY, SHADOW_KEY, 'cookie-secret-0a9b8c7d']) assert.ok(!text.includes(secret), `${f} holds ${secret}`);
  }
  // The key the body carried is redacted in the capture, the rest of the prompt kept.
  assert.match(fs.readFileSync(cap, 'utf8'), /my key is \[redacted\]/);
  await primary.close();
  await shadow.close();
});

test('sampling takes whole conversations: every turn of a sampled chat reaches the shadow, and no other request', async () => {
  const p = await startSimulator({ profile: 'chat?decode_tokens_per_s=2000' });
  const s = await startSimulator({ profile: 'chat?decode_tokens_per_s=1000', seed: 2 });
  const { m, out } = await mirrorOf(p.url, s.url, { sample: 0.5 });
  const sampler = new ConversationSampler(0.5);
  const expected: number[] = [];
  let id = 0;
  for (let turn = 0; turn < 2; turn++) {
    for (let c = 0; c < 12; c++) {
      const messages = [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: `conversation ${c}` },
        ...(turn > 0 ? [{ role: 'assistant', content: 'ok' }, { role: 'user', content: 'and then?' }] : []),
      ];
      const body = { model: 'm', stream: true, max_tokens: 4, messages };
      if (sampler.sampled(conversationId(bodyFacts(body), undefined))) expected.push(id);
      id++;
      const r = await post(m.url, JSON.stringify(body));
      assert.equal(r.status, 200);
    }
  }
  const summary = await m.close({ waitShadowMs: 10_000 });
  assert.ok(expected.length > 0 && expected.length < 24, `the hash split nothing: ${expected.length}`);
  const shadowRecs = readRecords(path.join(out, 'shadow', 'requests.jsonl'));
  assert.deepEqual(shadowRecs.map((r) => r.pair).sort((a, b) => a! - b!), expected);
  assert.ok(shadowRecs.every((r) => r.status === 'ok' && r.side === 'shadow' && r.response_id?.startsWith('chatcmpl-')));
  // Conversation c's two turns are ids c and 12 + c: both sampled or neither.
  for (let c = 0; c < 12; c++) assert.equal(expected.includes(c), expected.includes(12 + c), `conversation ${c} split`);
  assert.equal(summary.requests.sampled, expected.length);
  assert.equal(summary.pairs, expected.length);
  assert.equal(summary.agreement.both_ok, expected.length);
  const primaryRecs = readRecords(path.join(out, 'primary', 'requests.jsonl'));
  assert.equal(primaryRecs.length, 24);
  assert.deepEqual(primaryRecs.filter((r) => r.pair !== undefined).map((r) => r.id).sort((a, b) => a - b), expected);

  // Both sides open as run folders and compare as runs.
  const a = readRunFolder(path.join(out, 'primary'));
  const b = readRunFolder(path.join(out, 'shadow'));
  assert.equal(a.summary?.requests.ok, 24);
  assert.equal(b.summary?.requests.ok, expected.length);
  assert.equal(a.plan?.api, 'openai-chat');
  assert.equal(a.plan?.model, 'm');
  // The panel's run picker, open on one side, offers the other.
  assert.deepEqual(siblingRuns(path.join(out, 'primary')).map((r) => r.name).sort(), ['primary', 'shadow']);
  const cmp = compareRunFolders(path.join(out, 'primary'), path.join(out, 'shadow'));
  assert.ok(JSON.stringify(cmp).includes('ttft'));
  const mirrorJson = JSON.parse(fs.readFileSync(path.join(out, 'mirror.json'), 'utf8'));
  assert.equal(mirrorJson.delta.ttft_ms.n, expected.length);
  await p.close();
  await s.close();
});

test('--max-shadow-inflight caps the copies open on a slow shadow: the excess is skipped and counted, the client unaffected', async () => {
  const events = sseEvents(['ok']);
  const primary = await standIn(streaming(events));
  const shadow = await standIn((_q, res) => res.writeHead(200, { 'content-type': 'text/event-stream' }));
  const { m, out } = await mirrorOf(primary.url, shadow.url, { maxShadowInflight: 2, shadowStallMs: 200 });
  for (let i = 0; i < 5; i++) assert.equal((await post(m.url, CHAT(`q${i}`))).text, events.join(''));
  const summary = await m.close();
  assert.equal(summary.requests.shadow_sent, 2);
  assert.equal(summary.requests.shadow_skipped.inflight, 3);
  assert.equal(readRecords(path.join(out, 'primary', 'requests.jsonl')).filter((r) => r.pair !== undefined).length, 2);
  await primary.close();
  await shadow.close();
});

test('--shadow-tpm skips copies over the tokens-per-minute budget; --shadow-delay sends the copy later', async () => {
  const events = sseEvents(['ok']);
  const primary = await standIn(streaming(events));
  const shadow = await standIn(streaming(events));
  // Each request: 40 prompt characters (10 tokens) + max_tokens 20 = 30 tokens; 70 per minute allows 2.
  const { m } = await mirrorOf(primary.url, shadow.url, { shadowTokensPerMinute: 70, shadowDelayMs: 50 });
  for (let i = 0; i < 4; i++) await post(m.url, CHAT('x'.repeat(39) + i, { max_tokens: 20 }));
  const summary = await m.close({ waitShadowMs: 10_000 });
  assert.equal(summary.requests.shadow_skipped.tokens_per_minute, 2);
  assert.equal(summary.requests.shadow_sent, 2);
  assert.equal(shadow.requests.length, 2);
  await primary.close();
  await shadow.close();
});

test('a shadow that is down is not hammered: after 3 copies that cannot connect, copies are skipped as shadow_down; the client is served', async () => {
  const events = sseEvents(['ok']);
  const primary = await standIn(streaming(events));
  const gone = await standIn((_q, res) => res.end());
  const shadowUrl = gone.url;
  await gone.close();
  const { m, out } = await mirrorOf(primary.url, shadowUrl);
  for (let i = 0; i < 10; i++) {
    assert.equal((await post(m.url, CHAT(`q${i}`))).text, events.join(''));
    await sleep(20); // each copy's connect failure is in before the next request
  }
  const summary = await m.close({ waitShadowMs: 5000 });
  // 3 copies, then a pause of 1 s (a slow machine may let a probe or a 4th copy through).
  const sent = summary.requests.shadow_sent;
  assert.ok(sent >= 3 && sent <= 5, `${sent} copies sent to a shadow that is down`);
  assert.equal(summary.requests.shadow_skipped.shadow_down, 10 - sent);
  const shadowRecs = readRecords(path.join(out, 'shadow', 'requests.jsonl'));
  assert.equal(shadowRecs.length, sent);
  assert.ok(shadowRecs.every((r) => r.error?.kind === 'connect'));
  await primary.close();
});

test('a client that accepts gzip still gets a stream the mirror can time: both servers are asked for identity', async () => {
  const events = sseEvents(['plain']);
  const zlib = await import('node:zlib');
  // Compresses whenever the request allows it, as a server behind a compressing proxy would.
  const gzipping: Handler = (req, res) => {
    if (/gzip/.test(String(req.headers['accept-encoding'] ?? ''))) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' }).end(zlib.gzipSync(events.join('')));
    } else streaming(events)(req, res, '');
  };
  const primary = await standIn(gzipping);
  const shadow = await standIn(gzipping);
  const { m, out } = await mirrorOf(primary.url, shadow.url);
  const r = await post(m.url, CHAT('hi'), { 'accept-encoding': 'gzip, deflate' });
  assert.equal(r.text, events.join(''));
  const summary = await m.close({ waitShadowMs: 5000 });
  assert.equal(primary.requests[0]!.headers['accept-encoding'], 'identity');
  assert.equal(shadow.requests[0]!.headers['accept-encoding'], 'identity');
  assert.equal(summary.agreement.both_ok, 1);
  assert.equal(readRecords(path.join(out, 'primary', 'requests.jsonl'))[0]!.status, 'ok');
  await primary.close();
  await shadow.close();
});

test('paths the mirror does not time pass through to the primary, untimed and never copied', async () => {
  const primary = await standIn((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url })));
  const shadow = await standIn((_q, res) => res.end());
  const { m } = await mirrorOf(primary.url, shadow.url);
  const r = await fetch(`${m.url}/v1/models?x=1`);
  assert.deepEqual(await r.json(), { path: '/v1/models?x=1' });
  const summary = await m.close();
  assert.equal(summary.requests.passthrough, 1);
  assert.equal(summary.requests.primary, 0);
  assert.equal(shadow.requests.length, 0);
  await primary.close();
  await shadow.close();
});

test('a primary that cannot be reached gives the client a 502 and a connect record', async () => {
  const gone = await standIn((_q, res) => res.end());
  const url = gone.url;
  await gone.close();
  const shadow = await standIn((_q, res) => res.end());
  const { m, out } = await mirrorOf(url, shadow.url, { sample: 0 });
  const r = await post(m.url, CHAT('hi'));
  assert.equal(r.status, 502);
  await m.close();
  assert.equal(readRecords(path.join(out, 'primary', 'requests.jsonl'))[0]!.error?.kind, 'connect');
  await shadow.close();
});
