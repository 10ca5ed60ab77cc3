/**
 * How failed and unusual HTTP responses are classified, each against a loopback server that
 * answers as a real one does: interim 1xx responses before a 200 stream (skipped), a 307 redirect
 * (`redirect`, with its location), compressed event streams (gzip, deflate, br: decoded), and each
 * engine's "prompt longer than the context" error (`context_exceeded`). The body -> kind table of
 * http-errors.ts is checked row by row with each engine's real wording.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { createClient, type ProtocolClient, type SentRequest } from '../../src/core/protocols';
import { classifyHttpFailure, contextExceededEngine, streamErrorKind } from '../../src/core/protocols/http-errors';
import { afterContinues } from '../../src/core/protocols/connections';
import { plan } from '../helpers/plans';

const SSE =
  'data: {"id":"r","choices":[{"delta":{"role":"assistant","content":null}}]}\n\n' +
  'data: {"id":"r","choices":[{"delta":{"content":"Hello"}}]}\n\n' +
  'data: {"id":"r","choices":[{"delta":{"content":" world"}}]}\n\n' +
  'data: {"id":"r","choices":[{"delta":{},"finish_reason":"stop"}]}\n\n' +
  'data: [DONE]\n\n';

async function listen(server: net.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}

async function sendOnce(url: string): Promise<SentRequest> {
  const client: ProtocolClient = createClient(plan({ target: { kind: 'url', url }, model: 'm', timeouts: { total_ms: 10_000 } }), url, { connections: 2 });
  try {
    return await client.send(plan().prompts[0]!);
  } finally {
    await client.close();
  }
}

/** A raw TCP server that answers every request with `reply` (written in parts, `gap_ms` apart). */
async function rawServer(parts: string[], gap_ms = 10): Promise<{ url: string; close: () => void }> {
  const server = net.createServer((s) => {
    s.once('data', async () => {
      for (const p of parts) {
        s.write(p);
        await new Promise((r) => setTimeout(r, gap_ms));
      }
      s.end();
    });
  });
  const url = await listen(server);
  return { url, close: () => server.close() };
}

function okResponse(body: string): string {
  return `HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}

for (const [name, interim] of [
  ['100 Continue', ['HTTP/1.1 100 Continue\r\n\r\n']],
  ['103 Early Hints', ['HTTP/1.1 103 Early Hints\r\nlink: </style.css>; rel=preload\r\n\r\n']],
  ['100 Continue then 103 Early Hints', ['HTTP/1.1 100 Continue\r\n\r\n', 'HTTP/1.1 103 Early Hints\r\nlink: </a>; rel=preload\r\n\r\n']],
  ['100 Continue in the same write as the 200', []],
] as const) {
  test(`an interim ${name} before a 200 stream is skipped and the stream is read normally`, async () => {
    const parts = interim.length > 0 ? [...interim, okResponse(SSE)] : [`HTTP/1.1 100 Continue\r\n\r\n${okResponse(SSE)}`];
    const s = await rawServer(parts);
    try {
      const r = await sendOnce(s.url);
      assert.equal(r.error, undefined, JSON.stringify(r.error));
      assert.equal(r.http_status, 200);
      assert.equal(r.answer_text, 'Hello world');
      assert.equal(r.complete, true);
    } finally {
      s.close();
    }
  });
}

test('the 100 Continue filter passes other responses untouched and drops only whole interim heads', () => {
  const ok = Buffer.from('HTTP/1.1 200 OK\r\n\r\nx');
  assert.equal(afterContinues(ok), ok);
  assert.equal(afterContinues(Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n')).toString(), 'HTTP/1.1 200 OK\r\n\r\n');
  assert.equal(afterContinues(Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 100 Continue\r\nx: y\r\n\r\n')).length, 0);
  const partial = Buffer.from('HTTP/1.1 100 Contin');
  assert.equal(afterContinues(partial), partial, 'an unfinished head is left to the parser');
  const status1000 = Buffer.from('HTTP/1.1 1000 X\r\n\r\n');
  assert.equal(afterContinues(status1000), status1000);
});

test('a 307 redirect is its own kind, redirect, with the location; it is not followed', async () => {
  let posts = 0;
  const server = http.createServer((req, res) => {
    posts++;
    req.resume();
    res.writeHead(307, { location: 'http://127.0.0.1:1/v1/chat/completions', 'content-type': 'text/plain' });
    res.end('Temporary Redirect');
  });
  const url = await listen(server);
  try {
    const r = await sendOnce(url);
    assert.equal(r.http_status, 307);
    assert.equal(r.error?.kind, 'redirect');
    assert.match(r.error?.message ?? '', /HTTP 307: redirected to http:\/\/127\.0\.0\.1:1\/v1\/chat\/completions \(not followed/);
    assert.equal(posts, 1, 'the POST was not sent again anywhere');
  } finally {
    server.close();
  }
});

for (const [encoding, compress] of [
  ['gzip', (parts: string[]) => compressed(zlib.createGzip(), parts)],
  ['deflate', (parts: string[]) => compressed(zlib.createDeflate(), parts)],
  ['deflate (raw, as some servers send it)', (parts: string[]) => compressed(zlib.createDeflateRaw(), parts)],
  ['br', (parts: string[]) => compressed(zlib.createBrotliCompress(), parts, zlib.constants.BROTLI_OPERATION_FLUSH)],
] as const) {
  test(`a ${encoding} event stream is decoded: packets, answer and done marker as if plain, each timed at its read`, async () => {
    const events = SSE.split(/(?<=\n\n)/);
    const chunks = await compress(events);
    const header = encoding.split(' ')[0];
    const server = http.createServer(async (req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': header });
      for (const c of chunks) {
        res.write(c);
        await new Promise((r) => setTimeout(r, 30));
      }
      res.end();
    });
    const url = await listen(server);
    try {
      const r = await sendOnce(url);
      assert.equal(r.error, undefined, JSON.stringify(r.error));
      assert.equal(r.answer_text, 'Hello world');
      assert.equal(r.complete, true);
      const answers = r.packets.filter((p) => p.kind === 'answer');
      assert.equal(answers.length, 2);
      // one event per compressed write, 30 ms apart: the packets carry their reads' times
      assert.ok(answers[1]!.t_ms - answers[0]!.t_ms >= 20, JSON.stringify(r.packets.map((p) => p.t_ms)));
    } finally {
      server.close();
    }
  });
}

test('a large gzip event stream sent at once is decoded whole: reads land in a reused buffer faster than zlib takes them', async () => {
  // text that compresses little, so the body is many reads, all there before zlib has decoded the first
  let seed = 7;
  const word = (): string => (seed = (seed * 1103515245 + 12345) % 2147483648).toString(36);
  const words = Array.from({ length: 40_000 }, () => `${word()}${word()} `);
  const body = words.map((w) => `data: {"id":"r","choices":[{"delta":{"content":"${w}"}}]}\n\n`).join('') + 'data: [DONE]\n\n';
  const gz = zlib.gzipSync(body);
  assert.ok(gz.length > 256 * 1024, `the compressed body spans many reads (${gz.length} bytes)`);
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' });
    res.end(gz);
  });
  const url = await listen(server);
  try {
    const r = await sendOnce(url);
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    assert.equal(r.complete, true);
    assert.equal(r.answer_text, words.join(''));
  } finally {
    server.close();
  }
});

/** Each part compressed and flushed on its own, as a server that compresses a live stream does. */
async function compressed(z: zlib.Gzip | zlib.Deflate | zlib.DeflateRaw | zlib.BrotliCompress, parts: string[], flush: number = zlib.constants.Z_SYNC_FLUSH): Promise<Buffer[]> {
  const out: Buffer[] = [];
  let pending: Buffer[] = [];
  z.on('data', (b: Buffer) => pending.push(b));
  for (const p of parts) {
    z.write(p);
    await new Promise<void>((r) => (z as zlib.Gzip).flush(flush, () => r()));
    out.push(Buffer.concat(pending));
    pending = [];
  }
  await new Promise<void>((r) => z.end(() => r()));
  await new Promise((r) => setImmediate(r));
  if (pending.length > 0) out.push(Buffer.concat(pending));
  return out.filter((b) => b.length > 0);
}

test('a body that is not valid for its content-encoding is bad_stream; an unknown encoding is named', async () => {
  for (const [enc, message] of [
    ['gzip', /cannot decode the gzip body/],
    ['zstd', /unsupported content-encoding "zstd"/],
  ] as const) {
    const server = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': enc });
      res.end(SSE);
    });
    const url = await listen(server);
    try {
      const r = await sendOnce(url);
      assert.equal(r.error?.kind, 'bad_stream', JSON.stringify(r.error));
      assert.match(r.error?.message ?? '', message);
    } finally {
      server.close();
    }
  }
});

/** Each engine's real "the prompt does not fit" response: status, body. */
const CONTEXT_BODIES: Array<{ engine: string; status: number; body: string }> = [
  {
    engine: 'llama.cpp',
    status: 400,
    body: '{"error":{"code":400,"message":"request (5008 tokens) exceeds the available context size (4096 tokens), try increasing it","type":"exceed_context_size_error","n_prompt_tokens":5008,"n_ctx":4096}}',
  },
  {
    engine: 'OpenAI',
    status: 400,
    body: '{"object":"error","message":"This model\'s maximum context length is 4096 tokens. However, you requested 5000 tokens (4900 in the messages, 100 in the completion). Please reduce the length of the messages or completion.","type":"BadRequestError","param":null,"code":400}',
  },
  {
    engine: 'OpenAI',
    status: 400,
    body: '{"error":{"message":"\'max_tokens\' or \'max_completion_tokens\' is too large: 8000. This model\'s maximum context length is 4096 tokens and your request has 2778 input tokens (8000 > 4096 - 2778).","type":"BadRequestError","param":null,"code":400}}',
  },
  {
    engine: 'OpenAI',
    status: 400,
    body: '{"error":{"message":"Input tokens exceed the limit.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}',
  },
  { engine: 'OpenAI Responses', status: 400, body: '{"error":{"message":"Your input exceeds the context window of this model. Please adjust your input and try again.","type":"invalid_request_error","param":"input","code":null}}' },
  { engine: 'vLLM', status: 400, body: '{"object":"error","message":"The decoder prompt (length 12324) is longer than the maximum model length of 8192. Make sure that `max_model_len` is no smaller than the number of text tokens.","type":"BadRequestError","code":400}' },
  { engine: 'SGLang', status: 400, body: '{"object":"error","message":"The input (5008 tokens) is longer than the model\'s context length (4096 tokens).","type":"BadRequestError","code":400}' },
  { engine: 'TGI', status: 422, body: '{"error":"Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096. Given: 5000 `inputs` tokens and 20 `max_new_tokens`","error_type":"validation"}' },
  { engine: 'TGI', status: 422, body: '{"error":"Input validation error: `inputs` must have less than 4000 tokens. Given: 4545","error_type":"validation"}' },
  { engine: 'Anthropic', status: 400, body: '{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 208656 tokens > 200000 maximum"}}' },
  { engine: 'Anthropic', status: 400, body: '{"type":"error","error":{"type":"invalid_request_error","message":"input length and `max_tokens` exceed context limit: 199759 + 8192 > 200000, decrease input length or `max_tokens` and try again"}}' },
  { engine: 'Ollama', status: 400, body: '{"error":"the input length exceeds the context length"}' },
  { engine: 'Ollama', status: 500, body: '{"error":"the input length exceeds the context length"}' },
  { engine: 'Mistral', status: 400, body: '{"object":"error","message":"Prompt contains 140000 tokens, too large for model with 131072 maximum context length","type":"invalid_request_error","code":"3051"}' },
];

test('the body -> kind table: every engine\'s context message is context_exceeded, other errors keep their kinds', () => {
  for (const c of CONTEXT_BODIES) {
    assert.equal(contextExceededEngine(c.body), c.engine, c.body);
    const f = classifyHttpFailure(c.status, c.body);
    assert.equal(f.kind, 'context_exceeded', c.body);
    assert.equal(f.message, `HTTP ${c.status}: ${c.body}`);
  }
  const others: Array<[number, string, string]> = [
    [400, '{"error":{"message":"Invalid value for temperature","type":"invalid_request_error"}}', 'http_4xx'],
    [401, '{"error":{"message":"Incorrect API key provided","code":"invalid_api_key"}}', 'http_4xx'],
    [404, 'Not Found', 'http_4xx'],
    [429, '{"error":{"message":"Rate limit reached","code":"rate_limit_exceeded"}}', 'http_429'],
    [503, '{"error":{"message":"Loading model","type":"unavailable_error","code":503}}', 'http_5xx'],
    [502, '', 'http_5xx'],
    // context wording under a status no engine uses for it stays with its status
    [503, '{"error":"maximum context length is 4096 tokens"}', 'http_5xx'],
    [301, '', 'redirect'],
    [308, 'Permanent Redirect', 'redirect'],
  ];
  for (const [status, body, kind] of others) assert.equal(classifyHttpFailure(status, body, 'https://x.test/v1').kind, kind, `${status} ${body}`);
  assert.equal(classifyHttpFailure(302, '').message, 'HTTP 302: redirected without a location (not followed: point the target at the final URL)');
  assert.equal(streamErrorKind('request (5008 tokens) exceeds the available context size (4096 tokens), try increasing it'), 'context_exceeded');
  assert.equal(streamErrorKind('chat template parse failure'), 'stream_error');
});

test('each engine\'s context error, answered by a loopback server before any stream, is context_exceeded in the result', async () => {
  for (const c of CONTEXT_BODIES) {
    const server = http.createServer((req, res) => {
      req.resume();
      res.writeHead(c.status, { 'content-type': 'application/json', connection: 'close' });
      res.end(c.body);
    });
    const url = await listen(server);
    try {
      const r = await sendOnce(url);
      assert.equal(r.http_status, c.status);
      assert.equal(r.error?.kind, 'context_exceeded', `${c.engine}: ${JSON.stringify(r.error)}`);
      assert.match(r.error?.message ?? '', new RegExp(`^HTTP ${c.status}: `));
    } finally {
      server.close();
    }
  }
});

test('a gzip-encoded error body is decoded for its message and kind (a compressing proxy in front of vLLM)', async () => {
  const body = CONTEXT_BODIES[1]!.body;
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(400, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    res.end(zlib.gzipSync(body));
  });
  const url = await listen(server);
  try {
    const r = await sendOnce(url);
    assert.equal(r.error?.kind, 'context_exceeded', JSON.stringify(r.error));
    assert.equal(r.error?.message, `HTTP 400: ${body}`);
  } finally {
    server.close();
  }
});

test('a context error sent inside a 200 stream (llama.cpp mid-stream error event) is context_exceeded too', async () => {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end('data: {"error":{"code":400,"message":"request (5008 tokens) exceeds the available context size (4096 tokens), try increasing it","type":"exceed_context_size_error"}}\n\n');
  });
  const url = await listen(server);
  try {
    const r = await sendOnce(url);
    assert.equal(r.error?.kind, 'context_exceeded', JSON.stringify(r.error));
  } finally {
    server.close();
  }
});
