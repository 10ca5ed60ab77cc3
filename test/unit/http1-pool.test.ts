/**
 * llmload's own HTTP/1.1 client (src/core/protocols/http1-pool.ts) against loopback servers: the
 * bytes it writes, keep-alive reuse and its connection limit, response framing (length, chunked,
 * read to the close, no body), 1xx, the failures a connection can have (closed, reset, refused,
 * stale keep-alive, bad framing, unsolicited bytes), abort, close() and destroy().
 *
 * Raw `node:net` servers where the exact bytes matter, `node:http` otherwise. No assertion on the
 * machine's speed: timeouts are only safety nets, so a hang fails fast instead of stalling the run.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { Http1Pool, type Http1Handler, type Http1Request } from '../../src/core/protocols/http1-pool';
import { Http1FramingError } from '../../src/core/http1/framing';

// ---------------------------------------------------------------------------------------------
// Helpers

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `p`, or a rejection naming `what` after `ms` (a safety net, never a speed check). */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until `cond()` holds (polled), failing after `ms`. */
async function until(cond: () => boolean, what: string, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

type ErrWithCode = Error & { code?: string };

/** A handler that records every call; `done` resolves on onComplete or onError. */
class Recorder implements Http1Handler {
  readonly events: string[] = [];
  readonly statuses: number[] = [];
  readonly heads: Array<{ status: number; headers: string[]; statusText: string }> = [];
  readonly chunks: Buffer[] = [];
  abort?: (err: Error) => void;
  socket?: net.Socket;
  error?: ErrWithCode;
  completed = false;
  readonly done: Promise<void>;
  private settle!: () => void;

  constructor(
    private readonly hooks: {
      onConnect?: (abort: (err: Error) => void, r: Recorder) => void;
      onData?: (chunk: Buffer, r: Recorder) => void;
      onComplete?: (r: Recorder) => void;
    } = {},
  ) {
    this.done = new Promise<void>((r) => (this.settle = r));
  }

  get body(): string {
    return Buffer.concat(this.chunks).toString('latin1');
  }

  onConnect(abort: (err: Error) => void): void {
    this.events.push('connect');
    this.abort = abort;
    this.hooks.onConnect?.(abort, this);
  }

  onSocket(socket: net.Socket): void {
    this.events.push('socket');
    this.socket = socket;
  }

  onHeaders(statusCode: number, headers: string[], _resume: () => void, statusText: string): boolean {
    this.events.push(`headers ${statusCode}`);
    this.statuses.push(statusCode);
    this.heads.push({ status: statusCode, headers, statusText });
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.events.push('data');
    this.chunks.push(Buffer.from(chunk)); // the pool hands a view of its read buffer: copy it
    this.hooks.onData?.(chunk, this);
    return true;
  }

  onComplete(): void {
    this.events.push('complete');
    this.completed = true;
    this.hooks.onComplete?.(this);
    this.settle();
  }

  onError(err: Error): void {
    this.events.push('error');
    this.error = err as ErrWithCode;
    this.settle();
  }
}

function request(over: Partial<Http1Request> = {}): Http1Request {
  return { path: '/', method: 'GET', headers: {}, body: null, ...over };
}

/** Dispatches and waits for the end (complete or error). */
async function send(pool: Http1Pool, over: Partial<Http1Request> = {}, rec = new Recorder(), ms = 2500): Promise<Recorder> {
  pool.dispatch(request(over), rec);
  await within(rec.done, ms, `${over.method ?? 'GET'} ${over.path ?? '/'}`);
  return rec;
}

/** A request as a raw server read it off its connection. */
interface RawRequest {
  /** Index of its connection (accept order) and of the request on that connection. */
  conn: number;
  n: number;
  requestLine: string;
  method: string;
  path: string;
  /** [lower-cased name, value] in order. */
  headers: Array<[string, string]>;
  body: Buffer;
  raw: Buffer;
  all(name: string): string[];
}

interface RawConn {
  index: number;
  sock: net.Socket;
  /** Every byte the client wrote on it. */
  bytes: Buffer[];
  closed: boolean;
  whenClosed: Promise<void>;
}

interface RawServer {
  url: string;
  port: number;
  conns: RawConn[];
  requests: RawRequest[];
  /** Connections open now, and the most open at once. */
  open: number;
  maxOpen: number;
  received(conn: number): Buffer;
  close(): Promise<void>;
}

/**
 * A raw HTTP server: splits each connection's bytes into requests (head, then a Content-Length
 * body) and hands each to `onRequest` with its socket, which writes whatever bytes it likes.
 */
async function rawServer(onRequest: (req: RawRequest, sock: net.Socket, conn: RawConn) => void): Promise<RawServer> {
  const srv: RawServer = {
    url: '',
    port: 0,
    conns: [],
    requests: [],
    open: 0,
    maxOpen: 0,
    received: (i) => Buffer.concat(srv.conns[i]!.bytes),
    close: async () => {
      for (const c of srv.conns) c.sock.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server = net.createServer((sock) => {
    sock.setNoDelay(true);
    sock.on('error', () => undefined);
    let closedResolve!: () => void;
    const conn: RawConn = { index: srv.conns.length, sock, bytes: [], closed: false, whenClosed: new Promise<void>((r) => (closedResolve = r)) };
    srv.conns.push(conn);
    srv.open++;
    srv.maxOpen = Math.max(srv.maxOpen, srv.open);
    sock.on('close', () => {
      conn.closed = true;
      srv.open--;
      closedResolve();
    });
    let buf = Buffer.alloc(0);
    let n = 0;
    sock.on('data', (d: Buffer) => {
      conn.bytes.push(Buffer.from(d));
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const lines = buf.toString('latin1', 0, end).split('\r\n');
        const headers = lines.slice(1).map((l): [string, string] => {
          const c = l.indexOf(':');
          return [l.slice(0, c).toLowerCase(), l.slice(c + 1).trim()];
        });
        const cl = headers.find(([k]) => k === 'content-length');
        const len = cl ? Number(cl[1]) : 0;
        if (buf.length < end + 4 + len) return;
        const [method = '', path = ''] = lines[0]!.split(' ');
        const req: RawRequest = {
          conn: conn.index,
          n: n++,
          requestLine: lines[0]!,
          method,
          path,
          headers,
          body: Buffer.from(buf.subarray(end + 4, end + 4 + len)),
          raw: Buffer.from(buf.subarray(0, end + 4 + len)),
          all: (name) => headers.filter(([k]) => k === name).map(([, v]) => v),
        };
        buf = buf.subarray(end + 4 + len);
        srv.requests.push(req);
        onRequest(req, sock, conn);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  srv.port = (server.address() as net.AddressInfo).port;
  srv.url = `http://127.0.0.1:${srv.port}`;
  return srv;
}

const END = Symbol('end');
const RESET = Symbol('reset');
type Part = string | Buffer | number | typeof END | typeof RESET;

/** Writes the parts in order as separate writes; a number waits that many ms; END / RESET close. */
async function play(sock: net.Socket, parts: Part[]): Promise<void> {
  for (const p of parts) {
    if (sock.destroyed) return;
    if (typeof p === 'number') await sleep(p);
    else if (p === END) sock.end();
    else if (p === RESET) sock.resetAndDestroy();
    else if (!sock.writableEnded) sock.write(p);
  }
}

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

/** A node:http server counting connections, open ones and the most open at once. */
async function httpServer(handler: http.RequestListener): Promise<{ url: string; connections: () => number; maxOpen: () => number; open: () => number; close: () => Promise<void> }> {
  let connections = 0;
  let open = 0;
  let maxOpen = 0;
  const server = http.createServer(handler);
  server.on('connection', (s: net.Socket) => {
    connections++;
    open++;
    maxOpen = Math.max(maxOpen, open);
    s.on('close', () => open--);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    connections: () => connections,
    maxOpen: () => maxOpen,
    open: () => open,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A pool on `srv`, destroyed and then `srv` closed when the test ends (its `after` hook). */
function poolFor(t: TestContext, srv: { url: string; close: () => Promise<void> }, connections: number): Http1Pool {
  const pool = new Http1Pool(srv.url, connections);
  t.after(async () => {
    await pool.destroy();
    await srv.close();
  });
  return pool;
}

/** A port nothing listens on (one just closed). */
async function deadPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

// ---------------------------------------------------------------------------------------------
// 1. The bytes written

test('request bytes: request line, host from the origin, content-length from the body, connection: keep-alive, headers as given', async (t) => {
  const srv = await rawServer((_req, sock) => sock.write('HTTP/1.1 204 No Content\r\n\r\n'));
  const pool = poolFor(t, srv, 1);
  const body = Buffer.from('{"q":"é€"}', 'utf8'); // multi-byte: the length counts bytes, not characters
  const r = await send(pool, { method: 'POST', path: '/v1/chat/completions?stream=1', headers: { 'content-type': 'application/json', 'x-multi': ['a', 'b'] }, body });
  assert.deepEqual(r.events, ['connect', 'socket', 'headers 204', 'complete']);
  const req = srv.requests[0]!;
  assert.equal(req.requestLine, 'POST /v1/chat/completions?stream=1 HTTP/1.1');
  assert.deepEqual(req.all('host'), [`127.0.0.1:${srv.port}`]);
  assert.deepEqual(req.all('content-length'), [String(body.length)]);
  assert.deepEqual(req.all('connection'), ['keep-alive']);
  assert.deepEqual(req.all('content-type'), ['application/json']);
  assert.deepEqual(req.all('x-multi'), ['a', 'b']);
  assert.deepEqual(req.all('transfer-encoding'), []);
  assert.deepEqual(req.body, body);
  // Nothing but this request on the wire.
  assert.deepEqual(srv.received(0), req.raw);

  // A GET without a body has no content-length; a POST without one says 0.
  await send(pool, { path: '/get' });
  await send(pool, { method: 'POST', path: '/empty' });
  assert.equal(srv.requests[1]!.requestLine, 'GET /get HTTP/1.1');
  assert.deepEqual(srv.requests[1]!.all('content-length'), []);
  assert.deepEqual(srv.requests[2]!.all('content-length'), ['0']);
  assert.equal(srv.conns.length, 1);
});

test("request bytes: the request's own host is used; its content-length, connection, transfer-encoding, keep-alive are not written twice", async (t) => {
  const srv = await rawServer((_req, sock) => sock.write(OK));
  const pool = poolFor(t, srv, 1);
  const headers = {
    Host: 'api.example.test',
    'Content-Length': '999',
    Connection: 'upgrade',
    'Transfer-Encoding': 'chunked',
    'Keep-Alive': 'timeout=99',
    'x-kept': 'yes',
  };
  const r = await send(pool, { method: 'POST', path: '/p', headers, body: Buffer.from('hello') });
  assert.equal(r.body, 'ok');
  const req = srv.requests[0]!;
  assert.deepEqual(req.all('host'), ['api.example.test']);
  assert.deepEqual(req.all('content-length'), ['5']);
  assert.deepEqual(req.all('connection'), ['keep-alive']);
  assert.deepEqual(req.all('transfer-encoding'), []);
  assert.deepEqual(req.all('keep-alive'), []);
  assert.deepEqual(req.all('x-kept'), ['yes']);
  assert.equal(req.body.toString(), 'hello');
  assert.deepEqual(srv.received(0), req.raw);
});

test('request bytes: reset: true writes connection: close (once) and the connection is closed after the response', async (t) => {
  const srv = await rawServer((_req, sock) => sock.write(OK)); // the server leaves the closing to the client
  const pool = poolFor(t, srv, 1);
  const r = await send(pool, { path: '/once', headers: { connection: 'keep-alive' }, reset: true });
  assert.equal(r.body, 'ok');
  const req = srv.requests[0]!;
  assert.deepEqual(req.all('connection'), ['close']);
  assert.deepEqual(req.all('host'), [`127.0.0.1:${srv.port}`]);
  await within(srv.conns[0]!.whenClosed, 2000, 'the client closing its reset connection');
  assert.equal(pool.size, 0);
});

// ---------------------------------------------------------------------------------------------
// 2. CR/LF in a header

test('a header value or name with CR/LF fails that request with onError and writes nothing; the pool serves the next', async (t) => {
  const srv = await rawServer((_req, sock) => sock.write(OK));
  const pool = poolFor(t, srv, 1);
  assert.equal((await send(pool, { path: '/first' })).body, 'ok');
  const bad: Array<Record<string, string | string[]>> = [{ 'x-bad': 'a\r\nx-injected: 1' }, { 'x-bad': 'a\nx-injected: 1' }, { 'x-bad': ['fine', 'b\rx-injected: 1'] }, { 'x-bad\r\nx-injected': 'v' }];
  for (const headers of bad) {
    const r = await send(pool, { path: '/bad', headers });
    assert.deepEqual(r.events, ['error'], `headers ${JSON.stringify(headers)}`);
    assert.ok(r.error instanceof Error);
  }
  const last = await send(pool, { path: '/after' });
  assert.equal(last.body, 'ok');
  assert.deepEqual(
    srv.requests.map((q) => q.path),
    ['/first', '/after'],
  );
  assert.equal(srv.conns.length, 1, 'the connection goes on');
  assert.ok(!srv.received(0).toString('latin1').includes('injected'));
});

test('a CR/LF header on a fresh pool: onError, not a byte on the wire, and the next request is served', async (t) => {
  const srv = await rawServer((_req, sock) => sock.write(OK));
  const pool = poolFor(t, srv, 1);
  const r = await send(pool, { path: '/bad', headers: { 'x-bad': 'v\r\n\r\nGET /smuggled HTTP/1.1' } });
  assert.deepEqual(r.events, ['error']);
  const ok = await send(pool, { path: '/good' });
  assert.equal(ok.body, 'ok');
  assert.deepEqual(
    srv.requests.map((q) => q.path),
    ['/good'],
  );
  const wire = Buffer.concat(srv.conns.map((c) => Buffer.concat(c.bytes))).toString('latin1');
  assert.ok(!wire.includes('smuggled'));
});

// ---------------------------------------------------------------------------------------------
// 3. Keep-alive reuse

test('keep-alive: sequential requests reuse one connection', async () => {
  const s = await httpServer((req, res) => {
    req.resume();
    req.on('end', () => res.end(`you asked ${req.url}`));
  });
  const pool = new Http1Pool(s.url, 4);
  try {
    for (let i = 0; i < 5; i++) {
      const r = await send(pool, { path: `/r${i}`, method: 'POST', body: Buffer.from(`body ${i}`) });
      assert.equal(r.statuses.at(-1), 200);
      assert.equal(r.body, `you asked /r${i}`);
      assert.ok(r.completed);
    }
    assert.equal(s.connections(), 1);
    assert.equal(pool.size, 1);
  } finally {
    await pool.destroy();
    await s.close();
  }
});

test('reset: true: each request on its own connection, and pool.size returns to 0', async () => {
  const seen: Array<string | undefined> = [];
  const s = await httpServer((req, res) => {
    seen.push(req.headers.connection);
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  const pool = new Http1Pool(s.url, 4);
  try {
    for (let i = 0; i < 3; i++) {
      const r = await send(pool, { path: `/r${i}`, reset: true });
      assert.equal(r.body, 'ok');
    }
    assert.equal(s.connections(), 3);
    assert.deepEqual(seen, ['close', 'close', 'close']);
    await until(() => pool.size === 0, 'pool.size back to 0');
    await until(() => s.open() === 0, 'the server to see every connection closed');
  } finally {
    await pool.destroy();
    await s.close();
  }
});

test('a response with Connection: close: that connection is closed and the next request opens a new one', async (t) => {
  const srv = await rawServer((req, sock) => sock.write(req.path === '/close' ? 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nbye' : OK));
  const pool = poolFor(t, srv, 1);
  const a = await send(pool, { path: '/close' });
  assert.equal(a.body, 'bye');
  assert.ok(a.completed);
  await within(srv.conns[0]!.whenClosed, 2000, 'the client closing the connection');
  const b = await send(pool, { path: '/next' });
  assert.equal(b.body, 'ok');
  assert.equal(srv.conns.length, 2);
  assert.equal(srv.requests[1]!.conn, 1);
});

// ---------------------------------------------------------------------------------------------
// 4. The connection limit and the queue

/**
 * A node:http server that answers requests strictly in the order of their `x-id` (0, 1, 2, …),
 * each 20 ms after the previous answer; it counts requests it holds unanswered at once.
 */
async function orderedServer(): Promise<Awaited<ReturnType<typeof httpServer>> & { arrivals: number[]; maxInFlight: () => number }> {
  const arrivals: number[] = [];
  const pending = new Map<number, http.ServerResponse>();
  let next = 0;
  let busy = false;
  let inFlight = 0;
  let maxInFlight = 0;
  const pump = (): void => {
    if (busy) return;
    const res = pending.get(next);
    if (!res) return;
    busy = true;
    pending.delete(next);
    setTimeout(() => {
      inFlight--;
      res.end(`r${next}`);
      next++;
      busy = false;
      pump();
    }, 20);
  };
  const s = await httpServer((req, res) => {
    const id = Number(req.headers['x-id']);
    arrivals.push(id);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    req.resume();
    pending.set(id, res);
    pump();
  });
  return { ...s, arrivals, maxInFlight: () => maxInFlight };
}

test('never more than maxConnections: 6 concurrent requests on max 2, queued in FIFO order, all complete in dispatch order', async () => {
  const s = await orderedServer();
  const pool = new Http1Pool(s.url, 2);
  try {
    const done: number[] = [];
    const recs: Recorder[] = [];
    for (let i = 0; i < 6; i++) {
      const r = new Recorder({ onComplete: () => done.push(i) });
      recs.push(r);
      assert.equal(pool.dispatch(request({ path: `/q${i}`, headers: { 'x-id': String(i) } }), r), true);
    }
    assert.ok(pool.size <= 2, `pool.size ${pool.size} right after dispatch`);
    await within(Promise.all(recs.map((r) => r.done)), 3000, 'six queued requests');
    for (let i = 0; i < 6; i++) {
      assert.ok(recs[i]!.completed, `request ${i}: ${recs[i]!.events.join(',')}`);
      assert.equal(recs[i]!.body, `r${i}`);
    }
    assert.deepEqual(done, [0, 1, 2, 3, 4, 5]);
    assert.deepEqual([...s.arrivals.slice(0, 2)].sort(), [0, 1]);
    assert.deepEqual(s.arrivals.slice(2), [2, 3, 4, 5], 'queued requests leave in dispatch order');
    assert.ok(s.maxOpen() <= 2, `server saw ${s.maxOpen()} connections at once`);
    assert.ok(s.maxInFlight() <= 2, `server held ${s.maxInFlight()} requests at once`);
    assert.equal(s.connections(), 2);
    assert.equal(pool.size, 2);
  } finally {
    await pool.destroy();
    await s.close();
  }
});

// A `reset: true` connection (and one whose response says `Connection: close`) counts against the
// limit until its response ends, not only until its request is written.
test('never more than maxConnections with reset: true either (6 concurrent requests on max 2)', async () => {
  const s = await orderedServer();
  const pool = new Http1Pool(s.url, 2);
  try {
    const recs: Recorder[] = [];
    for (let i = 0; i < 6; i++) {
      const r = new Recorder();
      recs.push(r);
      pool.dispatch(request({ path: `/q${i}`, headers: { 'x-id': String(i) }, reset: true }), r);
    }
    await within(Promise.all(recs.map((r) => r.done)), 3000, 'six reset requests');
    for (let i = 0; i < 6; i++) assert.equal(recs[i]!.body, `r${i}`);
    assert.ok(s.maxInFlight() <= 2, `server held ${s.maxInFlight()} requests at once on a pool of 2 connections`);
  } finally {
    await pool.destroy();
    await s.close();
  }
});

// ---------------------------------------------------------------------------------------------
// 5. Framing

test('framing: a content-length body split across writes; the connection is reused after it', async (t) => {
  const srv = await rawServer((req, sock) => {
    if (req.path === '/cl') void play(sock, ['HTTP/1.1 200 OK\r\nContent-Le', 5, 'ngth: 11\r\nX-A: 1\r\n\r\nhel', 5, 'lo wor', 5, 'ld']);
    else sock.write(OK);
  });
  const pool = poolFor(t, srv, 1);
  const r = await send(pool, { path: '/cl' });
  assert.deepEqual(r.statuses, [200]);
  assert.equal(r.heads[0]!.statusText, 'OK');
  assert.deepEqual(r.heads[0]!.headers, ['Content-Length', '11', 'X-A', '1']);
  assert.equal(r.body, 'hello world');
  assert.equal(r.events.at(-1), 'complete');
  const next = await send(pool, { path: '/next' });
  assert.equal(next.body, 'ok');
  assert.equal(srv.conns.length, 1);
});

test('framing: chunked with extensions, trailers and a chunk split across several writes; the body is exact and the connection goes on', async (t) => {
  const srv = await rawServer((req, sock) => {
    if (req.path === '/chunked')
      void play(sock, [
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n',
        '5;name=value\r\nhello\r\n',
        5,
        '6 ; a="b;c"\r\n wo',
        5,
        'r',
        5,
        'ld\r',
        5,
        '\n1',
        5,
        '0\r\n0123456789abcdef\r\nA\r\n',
        5,
        'ABCDEFGHIJ\r\n0\r\nX-Trailer: yes\r\n',
        5,
        'X-Other: 1\r\n\r\n',
      ]);
    else sock.write(OK);
  });
  const pool = poolFor(t, srv, 1);
  const r = await send(pool, { path: '/chunked' });
  assert.deepEqual(r.statuses, [200]);
  assert.equal(r.body, 'hello world0123456789abcdefABCDEFGHIJ');
  assert.equal(r.events.at(-1), 'complete');
  assert.equal(r.events.filter((e) => e === 'complete' || e === 'error').length, 1);
  // The response ended exactly after its trailers: the next one on this connection parses.
  const next = await send(pool, { path: '/next' });
  assert.equal(next.body, 'ok');
  assert.equal(srv.conns.length, 1);
});

test('framing: a body read to the close (Connection: close, HTTP/1.0, HTTP/1.1 without length) completes with the exact body', async (t) => {
  const srv = await rawServer((req, sock) => {
    if (req.path === '/close') void play(sock, ['HTTP/1.1 200 OK\r\nConnection: close\r\n\r\npart1', 5, '-part2', 5, END]);
    else if (req.path === '/http10') void play(sock, ['HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nold ', 5, 'school', END]);
    else if (req.path === '/nolength') void play(sock, ['HTTP/1.1 200 OK\r\n\r\nuntil', 5, ' the end', 5, END]);
  });
  const pool = poolFor(t, srv, 1);
  const a = await send(pool, { path: '/close' });
  assert.equal(a.body, 'part1-part2');
  assert.deepEqual(a.events.slice(-1), ['complete']);
  const b = await send(pool, { path: '/http10' });
  assert.equal(b.body, 'old school');
  assert.deepEqual(b.events.slice(-1), ['complete']);
  const c = await send(pool, { path: '/nolength' });
  assert.equal(c.body, 'until the end');
  assert.deepEqual(c.events.slice(-1), ['complete']);
  assert.equal(srv.conns.length, 3, 'each on its own connection');
  await until(() => pool.size === 0, 'pool.size 0');
});

test('framing: 204, 304 and a HEAD with a content-length have no body; the connection goes on', async (t) => {
  const srv = await rawServer((req, sock) => {
    if (req.path === '/204') sock.write('HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n');
    else if (req.path === '/304') sock.write('HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n');
    else if (req.method === 'HEAD') sock.write('HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nContent-Type: text/plain\r\n\r\n');
    else sock.write(OK);
  });
  const pool = poolFor(t, srv, 1);
  const a = await send(pool, { path: '/204' });
  assert.deepEqual(a.events, ['connect', 'socket', 'headers 204', 'complete']);
  const b = await send(pool, { path: '/304' });
  assert.deepEqual(b.events, ['connect', 'socket', 'headers 304', 'complete']);
  const c = await send(pool, { path: '/head', method: 'HEAD' });
  assert.deepEqual(c.events, ['connect', 'socket', 'headers 200', 'complete']);
  assert.deepEqual(srv.requests[2]!.all('content-length'), []);
  const d = await send(pool, { path: '/after' });
  assert.equal(d.body, 'ok');
  assert.equal(srv.conns.length, 1);
});

// ---------------------------------------------------------------------------------------------
// 6. 1xx

test('1xx: 100 Continue and 103 Early Hints reach onHeaders, then the real response completes', async (t) => {
  const srv = await rawServer((req, sock) => {
    if (req.path === '/split') void play(sock, ['HTTP/1.1 100 Continue\r\n\r\n', 5, 'HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n', 5, 'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nreal']);
    else sock.write('HTTP/1.1 103 Early Hints\r\nLink: </a.js>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 3\r\n\r\nnew');
  });
  const pool = poolFor(t, srv, 1);
  const a = await send(pool, { path: '/split', method: 'POST', body: Buffer.from('x') });
  assert.deepEqual(a.statuses, [100, 103, 200]);
  assert.deepEqual(a.heads[1]!.headers, ['Link', '</s.css>; rel=preload']);
  assert.equal(a.body, 'real');
  assert.equal(a.events.at(-1), 'complete');
  const b = await send(pool, { path: '/together' });
  assert.deepEqual(b.statuses, [103, 201]);
  assert.equal(b.body, 'new');
  assert.equal(b.events.at(-1), 'complete');
  assert.equal(srv.conns.length, 1);
});

// ---------------------------------------------------------------------------------------------
// 7. Lost connections

test('the server closes mid-body (length or chunked) or mid-head: onError UND_ERR_SOCKET "other side closed", no onComplete', async (t) => {
  const srv = await rawServer((req, sock) => {
    if (req.path === '/cl') void play(sock, ['HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789', 5, END]);
    else if (req.path === '/chunked') void play(sock, ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n10\r\nabc', 5, END]);
    else if (req.path === '/head') void play(sock, ['HTTP/1.1 200 OK\r\nContent-Le', 5, END]);
    else sock.write(OK);
  });
  const pool = poolFor(t, srv, 1);
  const a = await send(pool, { path: '/cl' });
  assert.equal(a.error?.code, 'UND_ERR_SOCKET');
  assert.equal(a.error?.message, 'other side closed');
  assert.equal(a.body, '0123456789');
  assert.ok(!a.completed);
  assert.deepEqual(a.statuses, [200]);

  const b = await send(pool, { path: '/chunked' });
  assert.equal(b.error?.code, 'UND_ERR_SOCKET');
  assert.equal(b.error?.message, 'other side closed');
  assert.equal(b.body, 'helloabc');
  assert.ok(!b.completed);

  const c = await send(pool, { path: '/head' });
  assert.equal(c.error?.code, 'UND_ERR_SOCKET');
  assert.equal(c.error?.message, 'other side closed');
  assert.deepEqual(c.statuses, []);

  assert.equal((await send(pool, { path: '/after' })).body, 'ok');
  assert.equal(srv.conns.length, 4);
});

test('the server resets the connection: onError ECONNRESET, then the pool serves the next request', async (t) => {
  const srv = await rawServer((req, sock) => {
    if (req.path === '/reset') void play(sock, [RESET]);
    else sock.write(OK);
  });
  const pool = poolFor(t, srv, 1);
  const a = await send(pool, { path: '/reset' });
  assert.equal(a.error?.code, 'ECONNRESET');
  assert.ok(!a.completed);
  assert.equal((await send(pool, { path: '/after' })).body, 'ok');
});

test('connection refused: onError ECONNREFUSED and no onConnect', async () => {
  const port = await deadPort();
  const pool = new Http1Pool(`http://127.0.0.1:${port}`, 1);
  try {
    const a = await send(pool, { path: '/' });
    assert.deepEqual(a.events, ['error']);
    assert.equal(a.error?.code, 'ECONNREFUSED');
    await until(() => pool.size === 0, 'pool.size 0');
    // And again: a refused connection does not block the pool.
    const b = await send(pool, { path: '/' });
    assert.equal(b.error?.code, 'ECONNREFUSED');
  } finally {
    await pool.destroy();
  }
});

// ---------------------------------------------------------------------------------------------
// 8. A server that closes an idle keep-alive connection

test('stale keep-alive, request sent before the FIN: fails with "other side closed" and no response byte, and the pool recovers', async (t) => {
  // The server answers the first request of a connection and closes on the second, unanswered.
  const srv = await rawServer((req, sock) => {
    if (req.n === 0) sock.write(OK);
    else sock.end();
  });
  const pool = poolFor(t, srv, 1);
  assert.equal((await send(pool, { path: '/1' })).body, 'ok');
  const b = await send(pool, { path: '/2' });
  assert.deepEqual(b.events, ['connect', 'socket', 'error']);
  assert.equal(b.error?.code, 'UND_ERR_SOCKET');
  assert.equal(b.error?.message, 'other side closed');
  const c = await send(pool, { path: '/3' });
  assert.equal(c.body, 'ok');
  assert.equal(srv.conns.length, 2);
  assert.equal(srv.requests.at(-1)!.conn, 1);
});

test('stale keep-alive, FIN already seen: the next request goes on a new connection', async (t) => {
  const srv = await rawServer((_req, sock) => {
    sock.write(OK);
    sock.end();
  });
  const pool = poolFor(t, srv, 1);
  assert.equal((await send(pool, { path: '/1' })).body, 'ok');
  await within(srv.conns[0]!.whenClosed, 2000, 'the first connection to close');
  await until(() => pool.size === 0, 'the pool to drop the closed connection');
  const b = await send(pool, { path: '/2' });
  assert.equal(b.body, 'ok');
  assert.equal(srv.conns.length, 2);
});

test('stale keep-alive race: requests sent right after a response whose FIN follows never hang, and the pool recovers', async (t) => {
  // The server answers (saying nothing of closing) and closes every connection after its response.
  const srv = await rawServer((_req, sock) => {
    if (sock.writableEnded) return; // a request that arrived after our FIN: dropped unanswered
    sock.write(OK);
    sock.end();
  });
  const pool = poolFor(t, srv, 1);
  const outcomes = { ok: 0, closed: 0 };
  assert.equal((await send(pool, { path: '/0' })).body, 'ok');
  for (let i = 1; i <= 15; i++) {
    // Sent from the response's own turn of the loop: usually before the FIN is read.
    const rec = new Recorder();
    await new Promise<void>((r) => setImmediate(r));
    pool.dispatch(request({ path: `/${i}` }), rec);
    await within(rec.done, 2000, `request ${i}`);
    if (rec.completed) {
      assert.equal(rec.body, 'ok');
      outcomes.ok++;
    } else {
      assert.equal(rec.error?.message, 'other side closed', `request ${i}: ${rec.error?.stack}`);
      assert.equal(rec.error?.code, 'UND_ERR_SOCKET');
      assert.deepEqual(rec.statuses, [], 'no response byte read');
      assert.equal(rec.chunks.length, 0);
      outcomes.closed++;
    }
  }
  assert.equal(outcomes.ok + outcomes.closed, 15);
  // Once the server's FINs are read, the next request goes on a new connection and succeeds.
  await until(() => srv.open === 0, 'the server to close its connections');
  await sleep(20);
  const last = await send(pool, { path: '/last' });
  assert.equal(last.body, 'ok');
  assert.ok(pool.size <= 1);
});

// ---------------------------------------------------------------------------------------------
// 9. Keep-Alive: timeout

test('Keep-Alive: timeout=1 from the server (0 ms once less 1 s): the next request goes on a fresh connection', async (t) => {
  const srv = await rawServer((_req, sock) => sock.write('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1, max=100\r\nContent-Length: 2\r\n\r\nok'));
  const pool = poolFor(t, srv, 1);
  assert.equal((await send(pool, { path: '/1' })).body, 'ok');
  assert.equal((await send(pool, { path: '/2' })).body, 'ok');
  assert.equal(srv.conns.length, 2);
  assert.equal(srv.requests[1]!.conn, 1);
  // The stale one is closed by the client.
  await within(srv.conns[0]!.whenClosed, 2000, 'the stale connection to close');
});

test('keep-alive: timeout=5 (lower-case name): an immediate next request reuses the connection', async (t) => {
  const srv = await rawServer((_req, sock) => sock.write('HTTP/1.1 200 OK\r\nkeep-alive: timeout=5\r\nContent-Length: 2\r\n\r\nok'));
  const pool = poolFor(t, srv, 1);
  assert.equal((await send(pool, { path: '/1' })).body, 'ok');
  assert.equal((await send(pool, { path: '/2' })).body, 'ok');
  assert.equal(srv.conns.length, 1);
});

// ---------------------------------------------------------------------------------------------
// 10. abort

test('abort mid-response: onError with that error, no onComplete, the socket destroyed; later requests are served', async (t) => {
  const srv = await rawServer((req, sock) => {
    if (req.path === '/slow') void play(sock, ['HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npart', 10, 'more']); // never finished
    else sock.write(OK);
  });
  const pool = poolFor(t, srv, 1);
  const stop = new Error('stop it');
  const a = await send(pool, { path: '/slow' }, new Recorder({ onData: (_c, r) => r.abort!(stop) }));
  assert.equal(a.error, stop);
  assert.deepEqual(a.events, ['connect', 'socket', 'headers 200', 'data', 'error']);
  assert.ok(a.socket?.destroyed, 'the socket is destroyed');
  a.abort!(new Error('again')); // a no-op now
  await sleep(30);
  assert.deepEqual(a.events, ['connect', 'socket', 'headers 200', 'data', 'error']);
  await within(srv.conns[0]!.whenClosed, 2000, 'the server to see the connection closed');
  const b = await send(pool, { path: '/after' });
  assert.equal(b.body, 'ok');
  assert.equal(srv.conns.length, 2);
  assert.equal(pool.size, 1);
});

test('abort inside onConnect: onError with that error and no byte written, the connection kept for the next request; abort after onComplete is a no-op', async (t) => {
  const srv = await rawServer((_req, sock) => sock.write(OK));
  const pool = poolFor(t, srv, 1);
  const stop = new Error('cancelled early');
  const a = await send(pool, { path: '/never' }, new Recorder({ onConnect: (abort) => abort(stop) }));
  assert.equal(a.error, stop);
  assert.deepEqual(a.events, ['connect', 'error']);

  const b = await send(pool, { path: '/ok' });
  assert.equal(b.body, 'ok');
  assert.equal(srv.conns.length, 1, 'nothing went out on the connection, so it carried the next request');
  assert.match(srv.received(0).toString('latin1'), /^GET \/ok HTTP\/1\.1\r\n/, 'nothing was written for the aborted request');
  b.abort!(new Error('too late'));
  assert.deepEqual(b.events, ['connect', 'socket', 'headers 200', 'data', 'complete']);
  const c = await send(pool, { path: '/ok2' });
  assert.equal(c.body, 'ok');
  assert.equal(srv.conns.length, 1, 'the late abort did not drop the connection');
});

// ---------------------------------------------------------------------------------------------
// 11. close() and destroy()

/** A raw server that holds `/slow` until release() and answers everything else at once. */
async function holdingServer(): Promise<RawServer & { release: () => void; got: () => number }> {
  const held: net.Socket[] = [];
  let got = 0;
  const srv = await rawServer((req, sock) => {
    if (req.path === '/slow') {
      got++;
      held.push(sock);
    } else sock.write(OK);
  });
  return Object.assign(srv, {
    release: () => {
      for (const s of held.splice(0)) if (!s.destroyed) s.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nslow');
    },
    got: () => got,
  });
}

test('close() resolves only after the request in flight completes; dispatch while closing fails at once', async (t) => {
  const srv = await holdingServer();
  const pool = poolFor(t, srv, 1);
  const log: string[] = [];
  const a = new Recorder({ onComplete: () => log.push('complete') });
  pool.dispatch(request({ path: '/slow' }), a);
  await until(() => srv.got() === 1, 'the server to hold the request');
  const closed = pool.close().then(() => log.push('closed'));
  await sleep(50);
  assert.deepEqual(log, [], 'close() waits for the request in flight');
  const late = new Recorder();
  assert.equal(pool.dispatch(request({ path: '/late' }), late), false);
  assert.deepEqual(late.events, ['error']);
  assert.equal(late.error?.code, 'UND_ERR_DESTROYED');
  srv.release();
  await within(closed, 2000, 'close()');
  assert.deepEqual(log, ['complete', 'closed']);
  assert.equal(a.body, 'slow');
  await within(srv.conns[0]!.whenClosed, 2000, 'the pool to close its connection');
  assert.equal(pool.size, 0);
});

test('close() with nothing in flight resolves and closes the idle connections', async (t) => {
  const srv = await holdingServer();
  const pool = poolFor(t, srv, 2);
  await send(pool, { path: '/a' });
  await within(pool.close(), 2000, 'close()');
  await within(srv.conns[0]!.whenClosed, 2000, 'the idle connection to close');
  const r = new Recorder();
  assert.equal(pool.dispatch(request(), r), false);
  assert.equal(r.error?.code, 'UND_ERR_DESTROYED');
});

test('destroy() fails the request in flight and the queued ones with UND_ERR_DESTROYED; dispatch after it fails at once', async (t) => {
  const srv = await holdingServer();
  const pool = poolFor(t, srv, 1);
  const a = new Recorder();
  const b = new Recorder();
  pool.dispatch(request({ path: '/slow' }), a);
  pool.dispatch(request({ path: '/queued' }), b);
  await until(() => srv.got() === 1, 'the server to hold the request');
  await pool.destroy();
  await within(Promise.all([a.done, b.done]), 1000, 'the failed requests');
  assert.equal(a.error?.code, 'UND_ERR_DESTROYED');
  assert.deepEqual(a.events, ['connect', 'socket', 'error']);
  assert.equal(b.error?.code, 'UND_ERR_DESTROYED');
  assert.deepEqual(b.events, ['error']);
  const c = new Recorder();
  assert.equal(pool.dispatch(request(), c), false);
  assert.deepEqual(c.events, ['error'], 'failed synchronously');
  assert.equal(c.error?.code, 'UND_ERR_DESTROYED');
  await within(srv.conns[0]!.whenClosed, 2000, 'the connection to close');
  srv.release();
  await sleep(20);
  assert.deepEqual(a.events, ['connect', 'socket', 'error'], 'nothing after the error');
  assert.equal(srv.requests.length, 1, 'the queued request never went out');
});

// Every close() promise resolves, not only the last one's.
test('close() called twice: both promises resolve once the request in flight completes', async (t) => {
  const srv = await holdingServer();
  const pool = poolFor(t, srv, 1);
  const a = new Recorder();
  pool.dispatch(request({ path: '/slow' }), a);
  await until(() => srv.got() === 1, 'the server to hold the request');
  const first = pool.close();
  const second = pool.close();
  srv.release();
  await within(a.done, 2000, 'the request');
  assert.ok(a.completed);
  await within(second, 1000, 'the second close()');
  await within(first, 1000, 'the first close()');
});

// A `reset: true` connection is in flight until its response ends: close() waits for it.
test('close() waits for a reset: true request in flight too', async (t) => {
  const srv = await holdingServer();
  const pool = poolFor(t, srv, 1);
  let closed = false;
  const a = new Recorder();
  pool.dispatch(request({ path: '/slow', reset: true }), a);
  await until(() => srv.got() === 1, 'the server to hold the request');
  const closing = pool.close().then(() => (closed = true));
  await sleep(50);
  const closedEarly = closed;
  srv.release();
  await within(a.done, 2000, 'the request');
  await within(closing, 2000, 'close()');
  assert.equal(closedEarly, false, 'close() resolved while the reset request was still in flight');
});

// destroy() reaches a `reset: true` request in flight too: onError, never onComplete.
test('destroy() fails a reset: true request in flight too', async (t) => {
  const srv = await holdingServer();
  const pool = poolFor(t, srv, 1);
  const a = new Recorder();
  pool.dispatch(request({ path: '/slow', reset: true }), a);
  await until(() => srv.got() === 1, 'the server to hold the request');
  await pool.destroy();
  await sleep(20);
  const eventsAfterDestroy = [...a.events];
  srv.release();
  await within(a.done, 2000, 'the request');
  assert.deepEqual(eventsAfterDestroy, ['connect', 'socket', 'error'], 'destroy() failed the request in flight');
  assert.equal(a.error?.code, 'UND_ERR_DESTROYED');
});

// A request queued behind one that fails, while close() waits, is still served.
test('close() serves a queued request even when the request before it fails', async (t) => {
  const srv = await rawServer((req, sock) => {
    if (req.path === '/cut') void play(sock, ['HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial', 30, END]);
    else sock.write(OK);
  });
  const pool = poolFor(t, srv, 1);
  const a = new Recorder();
  const b = new Recorder();
  pool.dispatch(request({ path: '/cut' }), a);
  pool.dispatch(request({ path: '/queued' }), b);
  const closing = pool.close();
  await within(Promise.all([a.done, b.done]), 2000, 'both requests');
  await within(closing, 2000, 'close()');
  assert.equal(a.error?.message, 'other side closed');
  assert.equal(b.error, undefined, `the queued request failed: ${b.error?.message}`);
  assert.equal(b.body, 'ok');
});

// ---------------------------------------------------------------------------------------------
// 12. Bad framing from the server

test('bad framing from the server (status line, chunk size, header line) fails the request with Http1FramingError', async (t) => {
  const srv = await rawServer((req, sock) => {
    if (req.path === '/status') sock.write('HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\nok');
    else if (req.path === '/icy') sock.write('ICY 200 OK\r\n\r\n');
    else if (req.path === '/chunk') sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n');
    else if (req.path === '/header') sock.write('HTTP/1.1 200 OK\r\nno colon here\r\nContent-Length: 2\r\n\r\nok');
    else sock.write(OK);
  });
  const pool = poolFor(t, srv, 1);
  for (const path of ['/status', '/icy', '/chunk', '/header']) {
    const r = await send(pool, { path });
    assert.ok(r.error instanceof Http1FramingError, `${path}: ${r.error?.stack}`);
    assert.equal(r.error.code, 'ERR_HTTP1_FRAMING');
    assert.ok(!r.completed, path);
    if (path === '/chunk') {
      assert.deepEqual(r.statuses, [200]);
      assert.equal(r.body, 'hello', 'the good chunk before the bad one');
    } else assert.deepEqual(r.statuses, [], path);
  }
  assert.equal((await send(pool, { path: '/after' })).body, 'ok');
  await until(() => srv.conns.slice(0, 4).every((c) => c.closed), 'the bad connections to close');
  assert.equal(srv.conns.length, 5, 'every bad response cost its connection');
});

// ---------------------------------------------------------------------------------------------
// 13. Unsolicited bytes on an idle connection

test('an unsolicited response after a complete one (same write or later): the connection is dropped, the next request succeeds on a new one', async (t) => {
  const extra = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nextra';
  const srv = await rawServer((req, sock) => {
    if (req.path === '/same') sock.write(OK + extra);
    else if (req.path === '/later') void play(sock, [OK, 20, extra]);
    else sock.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext');
  });
  const pool = poolFor(t, srv, 1);
  const a = await send(pool, { path: '/same' });
  assert.equal(a.body, 'ok');
  assert.deepEqual(a.events, ['connect', 'socket', 'headers 200', 'data', 'complete']);
  await within(srv.conns[0]!.whenClosed, 2000, 'the out-of-step connection to be dropped');
  const b = await send(pool, { path: '/next' });
  assert.equal(b.body, 'next');
  assert.equal(srv.requests.at(-1)!.conn, 1);

  const c = await send(pool, { path: '/later' });
  assert.equal(c.body, 'ok');
  await within(srv.conns[1]!.whenClosed, 2000, 'the out-of-step connection to be dropped');
  const d = await send(pool, { path: '/next' });
  assert.equal(d.body, 'next');
  assert.deepEqual(d.events.slice(-1), ['complete']);
  assert.equal(srv.requests.at(-1)!.conn, 2);
});

// Bytes on an idle connection that are not a whole response head must not be read as the start of
// the next request's response: the connection is dropped on any byte with no request in flight.
test('stray bytes (no whole head) after a complete response: the connection is dropped, the next request succeeds', async (t) => {
  const srv = await rawServer((req, sock) => {
    if (req.path === '/stray') sock.write(OK + 'junk\r\n');
    else sock.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext');
  });
  const pool = poolFor(t, srv, 1);
  const a = await send(pool, { path: '/stray' });
  assert.equal(a.body, 'ok');
  await sleep(30);
  const b = await send(pool, { path: '/next' });
  assert.equal(b.error, undefined, `the next request failed: ${b.error?.message}`);
  assert.equal(b.body, 'next');
});

// ---------------------------------------------------------------------------------------------
// 14. A connection lost while its request waits for the write turn

test('a request dispatched on an idle connection whose FIN is already in the kernel goes out on a new connection: no error, no retry needed', async () => {
  // The server runs in another process, so it can close the connection while this loop is busy:
  // it answers and closes every connection 30 ms after its response.
  const { spawn } = await import('node:child_process');
  const code = `
    const net = require('node:net');
    let conns = 0;
    const s = net.createServer((sock) => {
      conns++;
      sock.on('data', () => {
        sock.write('HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok');
        setTimeout(() => sock.end(), 30);
      });
      sock.on('error', () => {});
    });
    s.listen(0, '127.0.0.1', () => process.stdout.write(s.address().port + '\\n'));
    process.on('message', () => process.send(conns));
  `;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  try {
    const port = await within(new Promise<number>((r) => child.stdout!.once('data', (d: Buffer) => r(Number(d.toString().trim())))), 5000, 'the server process');
    const pool = new Http1Pool(`http://127.0.0.1:${port}`, 4);
    try {
      const first = await send(pool, { path: '/1' });
      assert.equal(first.body, 'ok');
      // A timer callback: the loop's poll for I/O (the FIN) comes after it, the write turn after that.
      const second = await new Promise<Recorder>((resolve) =>
        setTimeout(() => {
          const end = Date.now() + 200;
          while (Date.now() < end); // the server's FIN arrives meanwhile; this loop has not read it
          const rec = new Recorder();
          pool.dispatch(request({ path: '/2' }), rec);
          void rec.done.then(() => resolve(rec));
        }, 0),
      );
      assert.equal(second.error, undefined, second.error?.message);
      assert.equal(second.body, 'ok');
      assert.deepEqual(second.events, ['connect', 'socket', 'headers 200', 'data', 'complete'], 'onConnect once: the request went out once');
      child.send('conns?');
      const conns = await within(new Promise<number>((r) => child.once('message', (m) => r(m as number))), 2000, 'the server count');
      assert.equal(conns, 2, 'the second request went on a new connection');
    } finally {
      await pool.destroy();
    }
  } finally {
    child.kill();
  }
});

// ---------------------------------------------------------------------------------------------
// 15. Reads share one buffer: the body data is lent to the handler for the call

test('body data is lent to the handler: copied in the call it is whole across reads on this and other connections, and the reads share one buffer', async (t) => {
  const parts = ['first part of the body;', 'SECOND PART, longer than the first;', 'third'];
  const body = parts.join('');
  const srv = await rawServer((_req, sock) => {
    sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${parts[0]}`);
    setTimeout(() => sock.write(parts[1]!), 15);
    setTimeout(() => sock.write(parts[2]!), 30);
  });
  const pool = poolFor(t, srv, 4);
  const kept: Buffer[][] = [[], []];
  const memory = new Set<ArrayBufferLike>();
  const recs = kept.map((k) => {
    const rec: Http1Handler & { done: Promise<void> } = Object.assign(
      {
        onConnect: () => undefined,
        onHeaders: () => true,
        onData: (d: Buffer) => (memory.add(d.buffer), k.push(Buffer.from(d)), true), // copied, as the contract asks
        onComplete: () => finish(),
        onError: (e: Error) => fail(e),
      },
      { done: undefined as unknown as Promise<void> },
    );
    let finish!: () => void;
    let fail!: (e: Error) => void;
    rec.done = new Promise<void>((res, rej) => ((finish = res), (fail = rej)));
    return rec;
  });
  for (const r of recs) pool.dispatch(request({ path: '/x' }), r);
  await within(Promise.all(recs.map((r) => r.done)), 2500, 'both bodies');
  for (const k of kept) {
    assert.ok(k.length >= 2, `the body came in several reads (${k.length})`);
    assert.equal(Buffer.concat(k).toString('latin1'), body);
  }
  // six reads on two connections landed in one buffer: nothing was allocated or copied per read
  assert.equal(memory.size, 1);
});
