// The mirror relay's HTTP/1.1 parsers: a byte stream split anywhere must parse as the same
// messages (property tests over random split points), chunk extensions and trailers are read past,
// and bad framing is a classified error, never a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Http1FramingError, MAX_HEAD_BYTES } from '../../src/core/http1/framing';
import { RequestParser, type ParsedRequest } from '../../src/core/http1/request-parser';
import { ResponseParser, type ResponseHead } from '../../src/core/http1/response-parser';
import { seededRandom } from '../../src/core/tokenize/synthetic';

const rng = seededRandom;

/** `bytes` cut at random points into 1..8 pieces (pieces of one byte included). */
function splits(bytes: Buffer, rand: () => number): Buffer[] {
  const cuts = new Set<number>();
  const n = Math.floor(rand() * 8);
  for (let i = 0; i < n; i++) cuts.add(1 + Math.floor(rand() * Math.max(1, bytes.length - 1)));
  if (rand() < 0.3) for (let i = 1; i < Math.min(bytes.length, 40); i++) cuts.add(i);
  const at = [...cuts].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const c of at) {
    out.push(bytes.subarray(from, c));
    from = c;
  }
  out.push(bytes.subarray(from));
  return out;
}

function chunkedBody(data: Buffer, rand: () => number, opts: { extensions: boolean; trailers: boolean }): Buffer {
  const parts: Buffer[] = [];
  let i = 0;
  while (i < data.length) {
    const n = Math.min(data.length - i, 1 + Math.floor(rand() * 40));
    const ext = opts.extensions && rand() < 0.5 ? `;name=value;q="a b"` : '';
    parts.push(Buffer.from(`${(rand() < 0.5 ? n.toString(16) : n.toString(16).toUpperCase())}${ext}\r\n`), data.subarray(i, i + n), Buffer.from('\r\n'));
    i += n;
  }
  parts.push(Buffer.from(`0${opts.extensions ? ';last' : ''}\r\n${opts.trailers ? 'X-Checksum: abc\r\nX-More: 1\r\n' : ''}\r\n`));
  return Buffer.concat(parts);
}

interface ResponseCase {
  wire: Buffer;
  heads: Array<{ status: number; interim: boolean }>;
  bodies: string[];
  methods: string[];
  /** The last response is read to the close. */
  closeDelimited: boolean;
}

function randomResponses(rand: () => number): ResponseCase {
  const c: ResponseCase = { wire: Buffer.alloc(0), heads: [], bodies: [], methods: [], closeDelimited: false };
  const parts: Buffer[] = [];
  const count = 1 + Math.floor(rand() * 4);
  for (let k = 0; k < count; k++) {
    const body = Buffer.from(`data: {"n":${k}}\n\n`.repeat(Math.floor(rand() * 6)) + 'é\r\n0\r\n'.repeat(rand() < 0.3 ? 1 : 0));
    const kind = Math.floor(rand() * 6);
    if (rand() < 0.25) {
      parts.push(Buffer.from('HTTP/1.1 103 Early Hints\r\nLink: </a>; rel=preload\r\n\r\n'));
      c.heads.push({ status: 103, interim: true });
    }
    const last = k === count - 1;
    let method = 'POST';
    if (kind === 0) {
      parts.push(Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body);
      c.bodies.push(body.toString('latin1'));
    } else if (kind === 1 || kind === 2) {
      parts.push(Buffer.from('HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n'), chunkedBody(body, rand, { extensions: kind === 2, trailers: kind === 2 }));
      c.bodies.push(body.toString('latin1'));
    } else if (kind === 3) {
      method = 'HEAD';
      parts.push(Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length + 10}\r\n\r\n`));
      c.bodies.push('');
    } else if (kind === 4) {
      const status = rand() < 0.5 ? 204 : 304;
      parts.push(Buffer.from(`HTTP/1.1 ${status} Nothing\r\nContent-Length: 5\r\n\r\n`));
      c.heads.push({ status, interim: false });
      c.bodies.push('');
      c.methods.push(method);
      continue;
    } else if (last) {
      parts.push(Buffer.from('HTTP/1.0 200 OK\r\ncontent-type: text/plain\r\n\r\n'), body);
      c.bodies.push(body.toString('latin1'));
      c.closeDelimited = true;
    } else {
      parts.push(Buffer.from('HTTP/1.1 500 Internal Server Error\r\nContent-Length: 2\r\n\r\n{}'));
      c.heads.push({ status: 500, interim: false });
      c.bodies.push('{}');
      c.methods.push(method);
      continue;
    }
    c.heads.push({ status: 200, interim: false });
    c.methods.push(method);
  }
  c.wire = Buffer.concat(parts);
  return c;
}

function parseResponses(pieces: Buffer[], methods: string[]): { heads: Array<{ status: number; interim: boolean }>; bodies: string[]; raw: string; events: string[] } {
  const heads: Array<{ status: number; interim: boolean }> = [];
  const bodies: string[] = [];
  const events: string[] = [];
  let raw = '';
  let current = '';
  let answered = 0;
  const p = new ResponseParser({
    isHeadRequest: () => methods[answered] === 'HEAD',
    onHead(h: ResponseHead) {
      heads.push({ status: h.status, interim: h.interim });
      events.push(`head ${h.status}`);
    },
    onRaw(b) {
      raw += b.toString('latin1');
      events.push('raw');
    },
    onData(b) {
      current += b.toString('latin1');
      events.push('data');
    },
    onEnd() {
      bodies.push(current);
      current = '';
      answered++;
      events.push('end');
    },
  });
  for (const piece of pieces) p.feed(piece);
  p.finish();
  return { heads, bodies, raw, events };
}

test('response parser: any split of a stream of responses gives the same heads, bodies and ends (property, 400 cases)', () => {
  const rand = rng(19);
  for (let i = 0; i < 400; i++) {
    const c = randomResponses(rand);
    const whole = parseResponses([c.wire], c.methods);
    assert.deepEqual(whole.heads, c.heads, `case ${i}`);
    assert.deepEqual(whole.bodies, c.bodies, `case ${i}`);
    const split = parseResponses(splits(c.wire, rand), c.methods);
    assert.deepEqual(split.heads, whole.heads, `case ${i}: heads`);
    assert.deepEqual(split.bodies, whole.bodies, `case ${i}: bodies`);
    // The bytes to pass on are the body bytes as they came, framing included.
    assert.equal(split.raw, whole.raw, `case ${i}: raw bytes`);
    // Within one read, a body's bytes pass on before its data is kept.
    for (let k = 0; k < split.events.length; k++) if (split.events[k] === 'data') assert.ok(split.events.slice(0, k).includes("raw"), `case ${i}: ${split.events.join(",")}`);
  }
});

test('response parser: chunk extensions and trailers are read past; the data is the chunks only', () => {
  const wire = Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5;ext=1\r\nhello\r\n6 ; a=b\r\n world\r\n0;end\r\nExpires: never\r\nX-Sum: 1\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n');
  const r = parseResponses(splits(wire, rng(3)), ['POST', 'POST']);
  assert.deepEqual(r.bodies, ['hello world', '']);
  assert.deepEqual(
    r.heads.map((h) => h.status),
    [200, 204],
  );
});

test('response parser: bad framing is a classified error, and a cut response is incomplete at the close', () => {
  const cases: Array<[string, string]> = [
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'bad_chunk'],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX', 'bad_chunk'],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n;x\r\n', 'bad_chunk'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\nabc', 'bad_length'],
    ['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', 'bad_length'],
    ['HTTP/1.1 OK\r\n\r\n', 'bad_head'],
    ['HTTP/1.1 200 OK\r\nno colon here\r\n\r\n', 'bad_head'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc', 'incomplete'],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n', 'incomplete'],
    ['HTTP/1.1 200 OK\r\nContent-', 'incomplete'],
  ];
  for (const [wire, reason] of cases) {
    const err = (() => {
      try {
        parseResponses([Buffer.from(wire)], ['POST']);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(err instanceof Http1FramingError, `${JSON.stringify(wire)}: ${String(err)}`);
    assert.equal(err.reason, reason, JSON.stringify(wire));
  }
  assert.throws(() => parseResponses([Buffer.from(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(MAX_HEAD_BYTES)}`)], ['POST']), (e: Http1FramingError) => e.reason === 'head_too_large');
});

function randomRequests(rand: () => number): { wire: Buffer; expected: Array<Pick<ParsedRequest, 'method' | 'target' | 'close'> & { body: string }> } {
  const parts: Buffer[] = [];
  const expected: Array<Pick<ParsedRequest, 'method' | 'target' | 'close'> & { body: string }> = [];
  const count = 1 + Math.floor(rand() * 4);
  for (let k = 0; k < count; k++) {
    const body = Buffer.from(JSON.stringify({ model: 'm', messages: [{ role: 'user', content: `q${k} ${'x'.repeat(Math.floor(rand() * 200))} ü` }] }));
    const kind = Math.floor(rand() * 3);
    if (rand() < 0.2) parts.push(Buffer.from('\r\n'));
    if (kind === 0) {
      parts.push(Buffer.from(`GET /v1/models?k=${k} HTTP/1.1\r\nHost: x\r\n\r\n`));
      expected.push({ method: 'GET', target: `/v1/models?k=${k}`, close: false, body: '' });
    } else if (kind === 1) {
      parts.push(Buffer.from(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`), body);
      expected.push({ method: 'POST', target: '/v1/chat/completions', close: false, body: body.toString('latin1') });
    } else {
      parts.push(Buffer.from('POST /v1/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n'), chunkedBody(body, rand, { extensions: rand() < 0.5, trailers: rand() < 0.5 }));
      expected.push({ method: 'POST', target: '/v1/completions', close: true, body: body.toString('latin1') });
    }
  }
  return { wire: Buffer.concat(parts), expected };
}

function parseRequests(pieces: Buffer[], maxBody = 1 << 20): Array<Pick<ParsedRequest, 'method' | 'target' | 'close'> & { body: string }> {
  const out: Array<Pick<ParsedRequest, 'method' | 'target' | 'close'> & { body: string }> = [];
  const p = new RequestParser({ onRequest: (r) => out.push({ method: r.method, target: r.target, close: r.close, body: r.body.toString('latin1') }) }, maxBody);
  for (const piece of pieces) p.feed(piece);
  assert.ok(p.idle, 'the parser waits for more of a request');
  return out;
}

test('request parser: any split of pipelined requests gives the same requests and de-chunked bodies (property, 400 cases)', () => {
  const rand = rng(20);
  for (let i = 0; i < 400; i++) {
    const c = randomRequests(rand);
    assert.deepEqual(parseRequests([c.wire]), c.expected, `case ${i}`);
    assert.deepEqual(parseRequests(splits(c.wire, rand)), c.expected, `case ${i}: split`);
  }
});

test('request parser: a body above the cap, bad framing and bad request lines are classified errors', () => {
  const cases: Array<[string, string, number?]> = [
    ['POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n', 'body_too_large', 100],
    [`POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n${'a'.repeat(101)}\r\n0\r\n\r\n`, 'body_too_large', 100],
    ['POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n', 'bad_length'],
    ['POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n', 'bad_length'],
    ['GET /\r\n\r\n', 'bad_head'],
    ['GET / HTTP/2.0\r\n\r\n', 'bad_head'],
  ];
  for (const [wire, reason, max] of cases) {
    assert.throws(
      () => parseRequests([Buffer.from(wire)], max),
      (e: unknown) => e instanceof Http1FramingError && e.reason === reason,
      wire,
    );
  }
  // HTTP/1.0 without keep-alive closes; with it, stays open.
  assert.deepEqual(
    parseRequests([Buffer.from('GET /a HTTP/1.0\r\n\r\nGET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n')]).map((r) => r.close),
    [true, false],
  );
});
