/**
 * llmload's own HTTP/1.1 client for the load path: keep-alive connections to one origin on plain
 * `net` sockets (or `tls` for https), one request at a time on each, the response framed by the
 * same parser as the mirror's relay (../http1/response-parser.ts). It exists because undici's
 * request path cost about a fifth of a short stream's CPU in the client (docs/performance.md,
 * `bench/client-floor.ts`): this one writes a request's bytes built once per prompt, reads each
 * read straight into the parser and hands the body to the handler, with no request object, header
 * object or timer of its own per request. Plain connections read into one buffer the thread's
 * connections share (net's `onread`), so a read allocates nothing and skips the stream machinery;
 * the body data handed on is copied out of it (small copies come from Node's buffer pool).
 *
 * It takes requests the way undici's dispatchers do (`dispatch(opts, handler)` with undici's own
 * handler calls: onConnect with an abort function when the request goes out on a socket, onHeaders
 * with the raw header fields, onData, onComplete, onError), so the exchange in http-client.ts
 * drives either; `HttpProtocolClient` picks this one unless `LLMLOAD_HTTP_CLIENT=undici`. It also
 * tells the handler its socket (onSocket), which undici makes known only through a diagnostics
 * channel (connections.ts).
 *
 * What it does as undici does: the `host` header from the origin unless the request has one,
 * `content-length` from the body, `connection: keep-alive` (or `close` with `reset`), an idle
 * connection is dropped once older than the server's `Keep-Alive: timeout` less a second (4 s
 * without one), a `Connection: close` or HTTP/1.0 response closes its connection, 1xx interim
 * responses reach onHeaders and the real one follows, a connection that closes mid-response
 * fails its request with `other side closed` (code UND_ERR_SOCKET), a connection that does not
 * open within 10 s fails with UND_ERR_CONNECT_TIMEOUT. Requests wait in order when every
 * connection is busy, and go out at the end of the loop turn that dispatched them (writeSoon).
 * No pipelining, no HTTP/2, no proxies.
 *
 * Where it does better than undici: a request whose idle connection turns out closed before its
 * turn to be written (the server's FIN read meanwhile) goes to another connection instead of
 * failing, and a request aborted before it was written leaves its connection in the pool.
 */
import net from 'node:net';
import tls from 'node:tls';
import { Http1FramingError } from '../http1/framing';
import { ResponseParser, type ResponseHead, type ResponseParserSink } from '../http1/response-parser';

/** A request as http-client.ts builds it (undici's DispatchOptions, the fields it uses). */
export interface Http1Request {
  path: string;
  method: string;
  headers: Record<string, string | string[]>;
  body: Buffer | null;
  /** Close the connection after this response (`Connection: close`). */
  reset?: boolean;
}

/** undici's handler calls, as the exchange in http-client.ts implements them. */
export interface Http1Handler {
  onConnect(abort: (err: Error) => void): void;
  /** The socket the request is written to; called right after onConnect. */
  onSocket?(socket: net.Socket): void;
  /**
   * `headers`: [name, value, …] as sent (latin1 strings). `at` (performance.now()) is when the read
   * holding them arrived, taken before it was parsed; undici gives no time, and the handler takes it.
   */
  onHeaders(statusCode: number, headers: string[], resume: () => void, statusText: string, at?: number): boolean;
  /**
   * `at` as for onHeaders. `chunk` may be a view of a read buffer the connection reuses for its
   * next read: valid during the call only, so a handler copies any bytes it keeps.
   */
  onData(chunk: Buffer, at?: number): boolean;
  onComplete(trailers: string[] | null): void;
  onError(err: Error): void;
}

/** What http-client.ts needs of a dispatcher: undici's Pool and Client fit it too. */
export interface RequestDispatcher {
  dispatch(opts: Http1Request, handler: Http1Handler): boolean;
  close(): Promise<void>;
  destroy(): Promise<void>;
}

/** The error of a connection lost mid-response, as undici names it. */
export class SocketClosedError extends Error {
  readonly code = 'UND_ERR_SOCKET';
  constructor(message: string, cause?: Error) {
    super(message, cause ? { cause } : undefined);
    this.name = 'SocketError';
  }
}

class ConnectTimeoutError extends Error {
  readonly code = 'UND_ERR_CONNECT_TIMEOUT';
  constructor(ms: number) {
    super(`Connect Timeout Error (no connection within ${ms} ms)`);
    this.name = 'ConnectTimeoutError';
  }
}

class PoolClosedError extends Error {
  readonly code = 'UND_ERR_DESTROYED';
  constructor() {
    super('The client is destroyed');
    this.name = 'ClientDestroyedError';
  }
}

/** undici's defaults: an idle connection is kept 4 s, a server's hint less 1 s, at most 600 s. */
export const KEEP_ALIVE_DEFAULT_MS = 4000;
const KEEP_ALIVE_THRESHOLD_MS = 1000;
const KEEP_ALIVE_MAX_MS = 600_000;
export const CONNECT_TIMEOUT_MS = 10_000;

const KEEP_ALIVE_TIMEOUT = /timeout=(\d+)/i;

/** Header fields the client writes itself (or that a request must not set on a connection it shares). */
const OWN_HEADERS = new Set(['content-length', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect', 'te', 'trailer', 'proxy-connection']);

/** A request's bytes: the head (with `connection: keep-alive` or `close`) and the body, once per request object's parts. */
interface WireRequest {
  readonly headers: Record<string, string | string[]>;
  readonly path: string;
  readonly method: string;
  readonly body: Buffer | null;
  readonly reset: boolean;
  readonly bytes: Buffer;
}

/** A request in flight or waiting for a connection. */
interface Pending {
  opts: Http1Request;
  handler: Http1Handler;
}

/** One connection and the request it is carrying. */
class Connection implements ResponseParserSink {
  readonly parser: ResponseParser;
  current: Pending | undefined;
  /** The current request's abort was called, or it ended: its handler hears nothing more. */
  done = true;
  /** Out of the pool: closing or closed, it takes no more requests and no longer counts. */
  retired = false;
  /** The current response is its last: the request asked for `connection: close`, or the response said so. */
  private last = false;
  /** The response ended inside the read being parsed: the connection goes back to the pool after that read. */
  private ended = false;
  /** The current request's bytes went out on the socket. */
  private written = false;
  connected = false;
  /** performance.now() when it last became idle. */
  idleSince = 0;
  keepAliveMs = KEEP_ALIVE_DEFAULT_MS;
  private connectTimer: NodeJS.Timeout | undefined;
  /** performance.now() when the read being parsed arrived. */
  private readAt = 0;

  readonly socket: net.Socket;
  /** Reads land in a buffer the thread's connections share (net's `onread`): the body data handed on is lent (Http1Handler.onData). */
  private readonly sharedReads: boolean;

  constructor(
    readonly pool: Http1Pool,
    connect: (opts: net.NetConnectOpts) => net.Socket,
  ) {
    this.parser = new ResponseParser(this);
    this.sharedReads = !pool.secure;
    this.socket = connect(this.sharedReads ? ({ onread: { buffer: readBuffer(), callback: (n: number, b: Buffer) => void this.onRead(b.subarray(0, n)) } } as unknown as net.NetConnectOpts) : ({} as net.NetConnectOpts));
    const socket = this.socket;
    this.connectTimer = setTimeout(connectTimedOut, CONNECT_TIMEOUT_MS, this);
    socket.setNoDelay(true);
    socket.once(pool.secure ? 'secureConnect' : 'connect', () => this.onConnected());
    if (!this.sharedReads) socket.on('data', (d: Buffer) => this.onRead(d));
    socket.on('end', () => this.onClosed(undefined));
    socket.on('error', (err: Error) => this.onClosed(err));
    socket.on('close', () => this.onClosed(undefined));
  }

  connectTimedOut(): void {
    this.connectTimer = undefined;
    if (!this.connected) this.fail(new ConnectTimeoutError(CONNECT_TIMEOUT_MS));
  }

  private onConnected(): void {
    clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    this.connected = true;
    const p = this.current;
    if (p) this.write(p);
    else this.pool.released(this);
  }

  /** Sends `p` on this connection (connected and idle). */
  start(p: Pending): void {
    this.current = p;
    this.done = false;
    this.last = false;
    this.written = false;
    if (this.connected) this.pool.writeSoon(this);
  }

  /** Called by the pool's write turn: sends the current request if it is still this connection's. */
  flush(): void {
    const p = this.current;
    if (p && !this.done && this.connected) this.write(p);
  }

  private write(p: Pending): void {
    let wire: WireRequest;
    try {
      wire = this.pool.wire(p.opts);
    } catch (err) {
      // A request that cannot be written (a line break in a header, a colon in a name): it fails, the connection goes on.
      this.done = true;
      this.current = undefined;
      this.pool.released(this);
      p.handler.onError(err as Error);
      return;
    }
    const abort = (err: Error): void => this.abortRequest(p, err);
    try {
      p.handler.onConnect(abort);
    } catch (err) {
      this.abortRequest(p, err as Error);
      return;
    }
    if (this.current !== p || this.done) return;
    p.handler.onSocket?.(this.socket);
    if (wire.reset) this.last = true;
    this.written = true;
    this.socket.write(wire.bytes);
  }

  /**
   * The request's abort: its handler hears `err`. Once the request was written the connection is
   * dropped (its response may be arriving); before, it goes back to the pool as it was.
   */
  private abortRequest(p: Pending, err: Error): void {
    if (this.current !== p || this.done) return;
    this.done = true;
    if (!this.written) {
      // Aborted before a byte went out (in onConnect): the connection is as good as it was.
      this.current = undefined;
      try {
        p.handler.onError(err);
      } finally {
        if (this.connected && !this.retired) this.pool.released(this);
      }
      return;
    }
    this.retire();
    try {
      p.handler.onError(err);
    } finally {
      this.socket.destroy();
    }
  }

  private onRead(d: Buffer): void {
    this.readAt = performance.now();
    if (this.current === undefined || this.done || !this.written) {
      // Bytes with no request in flight: the server is out of step with this connection; it goes.
      this.fail(new SocketClosedError('the server sent bytes with no request in flight'));
      return;
    }
    try {
      this.parser.feed(d);
    } catch (err) {
      this.ended = false;
      this.fail(err as Error);
      return;
    }
    if (!this.ended) return;
    this.ended = false;
    if (this.retired) return;
    // The response ended in this read: whatever followed it in the read belongs to no request.
    if (!this.parser.idle) this.fail(new SocketClosedError('the server sent bytes after the response'));
    else this.pool.released(this);
  }

  // The parser's sink.

  isHeadRequest(): boolean {
    return this.current?.opts.method === 'HEAD';
  }

  onHead(head: ResponseHead): void {
    const p = this.current;
    if (!p || this.done) {
      // Bytes with no request waiting for them: the server is out of step; the connection goes.
      if (!head.interim) throw new Http1FramingError('bad_head', `a response (${head.status}) that no request asked for`);
      return;
    }
    if (!head.interim) {
      if (head.close) this.last = true;
      else this.readKeepAlive(head.headers);
    }
    p.handler.onHeaders(head.status, head.headers, noop, head.statusLine.slice(13), this.readAt);
  }

  onRaw(): void {
    // The relay passes raw bytes on; the client only reads the data.
  }

  onData(data: Buffer): void {
    const p = this.current;
    // lent, not copied: a handler copies what it keeps past the call (Http1Handler.onData)
    if (p && !this.done) p.handler.onData(data, this.readAt);
  }

  onEnd(): void {
    const p = this.current;
    if (!p || this.done) return;
    this.done = true;
    this.current = undefined;
    if (this.last) {
      this.retire();
      this.socket.end();
    } else {
      this.idleSince = performance.now();
      this.ended = true;
    }
    p.handler.onComplete(null);
  }

  private readKeepAlive(headers: string[]): void {
    this.keepAliveMs = KEEP_ALIVE_DEFAULT_MS;
    for (let i = 0; i < headers.length; i += 2) {
      if (headers[i]!.length !== 10 || headers[i]!.toLowerCase() !== 'keep-alive') continue;
      const m = KEEP_ALIVE_TIMEOUT.exec(headers[i + 1]!);
      if (m) this.keepAliveMs = Math.min(KEEP_ALIVE_MAX_MS, Math.max(0, Number(m[1]) * 1000 - KEEP_ALIVE_THRESHOLD_MS));
    }
  }

  /** The socket ended, errored or closed: a body read to the close ends here, a request in flight fails. */
  private onClosed(err: Error | undefined): void {
    clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    this.retire();
    if (!this.current || this.done) {
      if (!this.socket.destroyed) this.socket.destroy();
      return;
    }
    if (err === undefined) {
      try {
        this.parser.finish();
        this.ended = false;
        if (this.done) return; // the body was read to the close and is complete
      } catch {
        // cut mid-response: the error below
      }
      err = new SocketClosedError('other side closed');
    }
    this.fail(err);
  }

  /**
   * Fails the request in flight (if any) with `err` and drops the connection. A request waiting
   * for its write turn on a connection that was open (the server closed it meanwhile) never left:
   * it goes to another connection instead.
   */
  fail(err: Error): void {
    this.retire();
    const p = this.current;
    if (p && !this.done) {
      this.done = true;
      if (!this.written && this.connected && !(err instanceof PoolClosedError)) {
        this.pool.redispatch(p);
        this.socket.destroy();
        return;
      }
      try {
        p.handler.onError(err);
      } catch {
        // the handler's own failure must not keep the socket
      }
    }
    this.socket.destroy();
  }

  private retire(): void {
    if (this.retired) return;
    this.retired = true;
    this.pool.dropped(this);
  }
}

/** The read buffer of this thread's plain connections: a read is parsed before the next one lands. */
let sharedReadBuffer: Buffer | undefined;

function readBuffer(): Buffer {
  return (sharedReadBuffer ??= Buffer.allocUnsafe(64 * 1024));
}

function connectTimedOut(c: Connection): void {
  c.connectTimedOut();
}

function noop(): void {}

/** Connections to one origin, up to `connections` at once; requests beyond wait in order. */
export class Http1Pool implements RequestDispatcher {
  readonly secure: boolean;
  private readonly host: string;
  private readonly port: number;
  private readonly hostHeader: string;
  private readonly servername: string | undefined;
  private idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly queue: Pending[] = [];
  private queueHead = 0;
  private readonly wires = new WeakMap<object, WireRequest>();
  private toWrite: Connection[] = [];
  private writeTurn: NodeJS.Immediate | undefined;
  private readonly flushWrites = (): void => {
    const all = this.toWrite;
    this.toWrite = [];
    this.writeTurn = undefined;
    for (const c of all) c.flush();
  };
  private closed = false;
  /** Set by close(): resolves when the pool is closed. */
  private closing: Promise<void> | undefined;
  private closedNow: (() => void) | undefined;

  /** `tlsOptions`: for https, added to tls.connect's (a `ca` to trust, say); Node's CA store otherwise, NODE_EXTRA_CA_CERTS included. */
  constructor(
    origin: string,
    private readonly maxConnections: number,
    private readonly tlsOptions: tls.ConnectionOptions = {},
  ) {
    const u = new URL(origin);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`llmload's HTTP/1.1 client speaks http: and https:, not ${u.protocol}`);
    this.secure = u.protocol === 'https:';
    this.host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    this.port = u.port ? Number(u.port) : this.secure ? 443 : 80;
    this.hostHeader = u.host;
    this.servername = this.secure && net.isIP(this.host) === 0 ? this.host : undefined;
  }

  /** A request whose connection was lost before it was written: sent as if new. */
  redispatch(p: Pending): void {
    if (this.closed) p.handler.onError(new PoolClosedError());
    else this.place(p);
  }

  /**
   * Requests are written at the end of the loop turn that dispatched them, all together, as undici
   * does: one write right after another finds the server's thread awake, where a write at once
   * often pays to wake it (on 2 vCPUs, 13.3–16.4k against 17.6–19.4k short streams a second, one
   * load thread, alternating runs). The clock starts at the write (onConnect), as before.
   */
  writeSoon(c: Connection): void {
    this.toWrite.push(c);
    this.writeTurn ??= setImmediate(this.flushWrites);
  }

  /** Connections open now (busy, idle or connecting). */
  get size(): number {
    return this.all.size;
  }

  dispatch(opts: Http1Request, handler: Http1Handler): boolean {
    if (this.closed || this.closing) {
      handler.onError(new PoolClosedError());
      return false;
    }
    this.place({ opts, handler });
    return true;
  }

  /** On an idle connection, a new one, or in the queue. */
  private place(p: Pending): void {
    const c = this.idleConnection();
    if (c) c.start(p);
    else if (this.all.size < this.maxConnections) this.open().start(p);
    else this.queue.push(p);
  }

  /** The most recently idle connection still inside its keep-alive time; older ones are closed. */
  private idleConnection(): Connection | undefined {
    const now = performance.now();
    while (this.idle.length > 0) {
      const c = this.idle.pop()!;
      if (c.retired) continue;
      if (now - c.idleSince < c.keepAliveMs) return c;
      c.fail(new SocketClosedError('idle connection past its keep-alive time'));
    }
    return undefined;
  }

  private open(): Connection {
    const c = new Connection(this, (o) =>
      this.secure ? tls.connect({ ...this.tlsOptions, host: this.host, port: this.port, servername: this.servername, ALPNProtocols: ['http/1.1'] }) : net.connect({ ...o, host: this.host, port: this.port } as net.NetConnectOpts),
    );
    this.all.add(c);
    return c;
  }

  /** A connection finished its response (or connected with nothing to send) and can take the next request. */
  released(c: Connection): void {
    if (c.retired) return;
    const p = this.nextQueued();
    if (p) {
      c.start(p);
      return;
    }
    // Connections the server closed while idle stay listed until taken; dropped here once they pile up.
    if (this.idle.length >= 2 * this.all.size + 16) this.idle = this.idle.filter((i) => !i.retired);
    this.idle.push(c);
    this.settle();
  }

  /** A connection will carry no more requests. */
  dropped(c: Connection): void {
    if (!this.all.delete(c)) return;
    // A request waiting for a connection gets a new one in its place.
    if (!this.closed && this.queueHead < this.queue.length && this.all.size < this.maxConnections) this.open().start(this.nextQueued()!);
    this.settle();
  }

  private nextQueued(): Pending | undefined {
    if (this.queueHead >= this.queue.length) return undefined;
    const p = this.queue[this.queueHead]!;
    this.queue[this.queueHead++] = undefined as unknown as Pending;
    if (this.queueHead === this.queue.length) {
      this.queue.length = 0;
      this.queueHead = 0;
    } else if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
    return p;
  }

  /** The request's bytes, built once for each request object's headers (requests of one prompt share them). */
  wire(opts: Http1Request): WireRequest {
    const reset = opts.reset === true;
    const known = this.wires.get(opts.headers);
    if (known && known.path === opts.path && known.method === opts.method && known.body === opts.body && known.reset === reset) return known;
    const w = this.build(opts, reset);
    this.wires.set(opts.headers, w);
    return w;
  }

  private build(opts: Http1Request, reset: boolean): WireRequest {
    let head = `${opts.method} ${opts.path} HTTP/1.1\r\n`;
    let host = false;
    for (const name of Object.keys(opts.headers)) {
      const lower = name.toLowerCase();
      if (OWN_HEADERS.has(lower)) continue;
      if (lower === 'host') host = true;
      const v = opts.headers[name]!;
      for (const one of Array.isArray(v) ? v : [v]) {
        if (/[\r\n]/.test(one) || /[\r\n:]/.test(name)) throw new Error(`invalid header ${JSON.stringify(name)}: a header may hold no line break, and its name no colon`);
        head += `${name}: ${one}\r\n`;
      }
    }
    if (!host) head = `${opts.method} ${opts.path} HTTP/1.1\r\nhost: ${this.hostHeader}\r\n${head.slice(head.indexOf('\r\n') + 2)}`;
    head += reset ? 'connection: close\r\n' : 'connection: keep-alive\r\n';
    const body = opts.body;
    if (body !== null || (opts.method !== 'GET' && opts.method !== 'HEAD')) head += `content-length: ${body?.length ?? 0}\r\n`;
    head += '\r\n';
    const headBytes = Buffer.from(head, 'latin1');
    const bytes = body && body.length > 0 ? Buffer.concat([headBytes, body]) : headBytes;
    return { headers: opts.headers, path: opts.path, method: opts.method, body: opts.body, reset, bytes };
  }

  /** Waits for the requests in flight, then closes every connection. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (!this.closing) {
      this.closing = new Promise<void>((resolve) => (this.closedNow = resolve));
      this.settle();
    }
    return this.closing;
  }

  /** Fails every request in flight or waiting and closes every connection now. */
  destroy(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    const waiting = this.queue.slice(this.queueHead);
    this.queue.length = 0;
    this.queueHead = 0;
    const err = new PoolClosedError();
    for (const p of waiting) p.handler.onError(err);
    for (const c of [...this.all]) c.fail(err);
    this.all.clear();
    this.idle.length = 0;
    this.closedNow?.();
    this.closedNow = undefined;
    return Promise.resolve();
  }

  /** A closing pool with nothing in flight closes. */
  private settle(): void {
    if (!this.closing || this.closed || this.queueHead < this.queue.length) return;
    for (const c of this.all) if (!c.done) return;
    void this.destroy();
  }
}
