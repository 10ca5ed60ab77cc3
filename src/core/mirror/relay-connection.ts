/**
 * One client connection of the mirror's relay (./proxy.ts) and its own connection to the primary,
 * opened with its first request: a client that goes away destroys the primary's connection, so
 * the primary cancels; a primary that announces its close (Connection: close, HTTP/1.0, a body
 * read to the close) closes the client's connection after that answer (an unannounced close: see
 * primaryGone). Requests are parsed as they come
 * (../http1/request-parser.ts), handed to the hooks, and written to the primary with only what must
 * change rewritten (the primary's path prefix, Host, Accept-Encoding: identity, one hop's
 * headers, the body as Content-Length). The primary's bytes go to the client first, unchanged but
 * for the head's hop-by-hop fields, and are parsed second (../http1/response-parser.ts) to find each
 * answer's end and keep a timed API's body (./forwarding-exchange.ts). Pipelined requests map to
 * answers in order. Backpressure runs both ways: a full socket pauses the other one until it drains.
 */
import net from 'node:net';
import tls from 'node:tls';
import { ForwardedCall } from './forwarding-exchange';
import { Http1FramingError, headerTokens } from '../http1/framing';
import { RequestParser, type ParsedRequest, type RequestParserSink } from '../http1/request-parser';
import { ResponseParser, type ResponseHead, type ResponseParserSink } from '../http1/response-parser';
import type { CallPlan, IncomingCall } from './proxy-hooks';
import type { HeaderMap } from './secrets';

export interface RelayTarget {
  hostname: string;
  port: number;
  tls: boolean;
  /** The Host header the primary gets. */
  host: string;
  /** The primary URL's path, without a trailing slash ('' for none). */
  prefix: string;
  maxBody: number;
  begin(call: IncomingCall): CallPlan;
  /** +1 when a forwarded request starts, -1 when its answer ended, failed or was cut. */
  track(delta: number): void;
}

/** Headers of one hop only (RFC 9110 7.6.1), never forwarded; `host` and `content-length` are the relay's own. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length', 'expect']);
/** The same for answers, less the body's framing, which is passed on as it came. */
const HOP_BY_HOP_RESPONSE = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'te', 'upgrade']);
const FRAMING = new Set(['transfer-encoding', 'content-length', 'trailer']);
/** Request fields node:http keeps once (the first), as the hooks got them before. */
const SINGLE = new Set(['age', 'authorization', 'content-length', 'content-type', 'etag', 'expires', 'from', 'host', 'if-modified-since', 'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'proxy-authorization', 'referer', 'retry-after', 'server', 'user-agent']);

/** The request's fields by lower-case name, duplicates joined as node:http joins them. */
export function headerMap(raw: string[]): HeaderMap {
  const out: HeaderMap = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i]!.toLowerCase();
    const v = raw[i + 1]!;
    const had = out[k];
    if (had === undefined) out[k] = k === 'set-cookie' ? [v] : v;
    else if (k === 'set-cookie') (had as string[]).push(v);
    else if (!SINGLE.has(k)) out[k] = `${had as string}${k === 'cookie' ? '; ' : ', '}${v}`;
  }
  return out;
}

function jsonAnswer(status: number, reason: string, body: unknown, close: boolean): string {
  const text = JSON.stringify(body);
  return `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\n${close ? 'connection: close\r\n' : ''}\r\n${text}`;
}

const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';

export class RelayConnection implements RequestParserSink, ResponseParserSink {
  private up: net.Socket | undefined;
  private upReady = false;
  private readonly requests: RequestParser;
  private answers: ResponseParser;
  /** Forwarded requests whose answers have not ended, oldest first. */
  private readonly queue: ForwardedCall[] = [];
  /** Requests written before the primary's connection was made (their send time is its connect). */
  private waiting: ForwardedCall[] = [];
  /** An answer of the relay's own (413, 400) to write once every earlier answer ended, then close. */
  private finalAnswer: string | undefined;
  private now = 0;
  private read = 0;
  private closed = false;
  /** The client ended its side, or asked to close after its last request: close once everything is answered. */
  private clientEnded = false;
  private upPaused = false;
  private clientPaused = false;
  /** Answers that ended on the current connection to the primary. */
  private upAnswered = 0;
  /** Response heads read but not yet written (they go out with the body bytes of their read). */
  private outHead = '';
  /** Inside the handler of one of the primary's reads. */
  private inRead = false;
  /** Answers that ended in the current read. */
  private ended: ForwardedCall[] = [];
  /** The primary's last answer said it closes the connection after it. */
  private closeAnnounced = false;

  constructor(
    private readonly client: net.Socket,
    private readonly t: RelayTarget,
  ) {
    client.setNoDelay(true);
    this.requests = new RequestParser(this, t.maxBody);
    this.answers = new ResponseParser(this);
    client.on('data', this.onClientData);
    client.on('end', this.onClientEnd);
    client.on('error', () => client.destroy());
    client.on('close', this.onClientClose);
  }

  // ── the client's side ──────────────────────────────────────────────────────────────────────

  private readonly onClientData = (buf: Buffer): void => {
    try {
      this.requests.feed(buf);
    } catch (e) {
      const err = e as Http1FramingError;
      const large = err.reason === 'body_too_large';
      this.client.pause();
      this.finalAnswer = large
        ? jsonAnswer(413, 'Payload Too Large', { error: { message: `llmload mirror: request body above ${this.t.maxBody} bytes` } }, true)
        : jsonAnswer(400, 'Bad Request', { error: { message: `llmload mirror: ${err.message}`, type: 'bad_request' } }, true);
      this.flushFinal();
    }
  };

  onContinue(): void {
    // Only when no earlier answer is still streaming on this connection (it would cut into it).
    if (this.queue.length === 0) this.client.write(CONTINUE);
  }

  onRequest(req: ParsedRequest): void {
    const call: IncomingCall = { method: req.method, path: req.target, headers: headerMap(req.headers), body: req.body, arrived: performance.now() };
    let plan: CallPlan;
    try {
      plan = this.t.begin(call);
    } catch {
      plan = {};
    }
    const t = this.t;
    t.track(1);
    const fwd = new ForwardedCall(req.method, { log: plan.api !== undefined, after: plan.after, done: plan.done }, () => t.track(-1));
    this.queue.push(fwd);
    if (req.close) this.clientEnded = true;
    const path = t.prefix && !req.target.startsWith(`${t.prefix}/`) ? t.prefix + req.target : req.target;
    const body = req.method === 'GET' || req.method === 'HEAD' ? null : req.body;
    fwd.wire = { head: requestHead(req, path, t.host, body === null ? -1 : body.length), body };
    this.send(fwd);
  }

  /** Writes a request to the primary's connection (made now when there is none). */
  private send(fwd: ForwardedCall): void {
    const { head, body } = fwd.wire!;
    const up = this.up ?? this.connect();
    fwd.reused = this.upAnswered > 0;
    if (this.upReady) fwd.sending(performance.now());
    else this.waiting.push(fwd);
    // One write, one syscall: the head and the body in one buffer.
    let more: boolean;
    if (body === null || body.length === 0) more = up.write(head, 'latin1', fwd.written);
    else {
      const out = Buffer.allocUnsafe(head.length + body.length);
      out.write(head, 0, 'latin1');
      body.copy(out, head.length);
      more = up.write(out, fwd.written);
    }
    if (!more && !this.clientPaused) {
      this.clientPaused = true;
      this.client.pause();
      up.once('drain', () => {
        this.clientPaused = false;
        if (this.finalAnswer === undefined) this.client.resume();
      });
    }
  }

  private readonly onClientEnd = (): void => {
    this.clientEnded = true;
    if (this.queue.length === 0) this.shutdown();
  };

  private readonly onClientClose = (): void => {
    this.closed = true;
    const now = performance.now();
    for (const call of this.queue.splice(0)) call.abort(now, 'cancelled', 'the client disconnected');
    this.up?.destroy();
    this.up = undefined;
  };

  /** Everything answered and the client is done (or the primary closed): close both sides. */
  private shutdown(): void {
    if (!this.client.destroyed) this.client.end();
    this.up?.destroy();
    this.up = undefined;
  }

  private flushFinal(): void {
    if (this.finalAnswer === undefined || this.queue.length > 0 || this.client.destroyed) return;
    this.client.end(this.finalAnswer);
    this.up?.destroy();
    this.up = undefined;
  }

  // ── the primary's side ─────────────────────────────────────────────────────────────────────

  private connect(): net.Socket {
    const t = this.t;
    const up = t.tls ? tls.connect({ host: t.hostname, port: t.port, servername: net.isIP(t.hostname) ? undefined : t.hostname, ALPNProtocols: ['http/1.1'] }) : net.connect({ host: t.hostname, port: t.port });
    this.up = up;
    this.upReady = false;
    this.upAnswered = 0;
    this.answers = new ResponseParser(this);
    up.setNoDelay(true);
    up.once(t.tls ? 'secureConnect' : 'connect', () => {
      if (up !== this.up) return;
      this.upReady = true;
      const now = performance.now();
      for (const call of this.waiting) call.sending(now);
      this.waiting = [];
    });
    up.on('data', (buf: Buffer) => {
      // The read's arrival time first, before anything else is done with it.
      const now = performance.now();
      if (up !== this.up) return;
      this.now = now;
      this.read++;
      this.inRead = true;
      try {
        this.answers.feed(buf);
        this.flushHead();
      } catch (e) {
        // What came before the failure goes out first, then the cut.
        this.flushHead();
        this.primaryFailed(up, e);
      } finally {
        this.inRead = false;
      }
      // The answers that ended in this read are handed to the hooks once their last bytes were written to the client.
      if (this.ended.length > 0) {
        const ended = this.ended;
        this.ended = [];
        for (const call of ended) call.end(now);
      }
    });
    up.on('end', () => {
      if (up !== this.up) return;
      this.now = performance.now();
      try {
        this.answers.finish();
      } catch (e) {
        return this.primaryFailed(up, e);
      }
      if (this.queue.length > 0) this.primaryFailed(up, new Error('the primary closed the connection before answering'));
      else this.primaryGone(up);
    });
    up.on('error', (err) => this.primaryFailed(up, err));
    up.on('close', () => {
      if (up === this.up) this.primaryFailed(up, new Error('the primary closed the connection'));
    });
    return up;
  }

  /**
   * The primary's connection failed (or broke its framing). An answer already under way is cut
   * (the client's connection closes); requests not yet answered get a 502 each, and the client's
   * connection stays open for its next request.
   */
  private primaryFailed(up: net.Socket, err: unknown): void {
    if (up !== this.up) return;
    if (this.queue.length === 0) return this.primaryGone(up);
    this.up = undefined;
    this.waiting = [];
    up.destroy();
    if (this.closed) return;
    const now = performance.now();
    // A reused connection that the primary had closed (an idle keep-alive timeout, a server that
    // closes after every answer) before any byte of an answer: the requests go again, once, on a
    // new connection, as undici and llmload's own client do; the primary never read them.
    const idle = this.answers.idle && this.queue.length > 0 && !this.queue[0]!.headSent;
    if (idle && this.queue.every((c) => c.reused && !c.retried)) {
      const again = this.queue.splice(0);
      for (const c of again) {
        c.retried = true;
        this.queue.push(c);
        this.send(c);
      }
      return;
    }
    const calls = this.queue.splice(0);
    if (calls.length === 0) return this.primaryGone(up);
    if (calls[0]!.headSent) {
      for (const call of calls) call.fail(now, err);
      this.client.destroy();
      return;
    }
    const code = (err as NodeJS.ErrnoException).code ?? null;
    const answer = jsonAnswer(502, 'Bad Gateway', { error: { message: 'llmload mirror: the primary failed', type: 'bad_gateway', code } }, false);
    this.client.cork();
    for (const call of calls) {
      call.fail(now, err);
      this.client.write(answer);
    }
    this.client.uncork();
    if (this.clientPaused) {
      this.clientPaused = false;
      if (this.finalAnswer === undefined) this.client.resume();
    }
    if (this.finalAnswer !== undefined) this.flushFinal();
    else if (this.clientEnded) this.shutdown();
  }

  /**
   * The primary closed its connection with no request waiting. When its last answer said so
   * (Connection: close, HTTP/1.0, a body read to the close), the client was told and its
   * connection closes too. Otherwise (llama.cpp closes after every stream while saying keep-alive)
   * the client's connection stays open and its next request gets a new connection to the primary:
   * the close would reach the client a hop after the answer's end, and a client sending its next
   * request in between would see it fail, which a direct call, whose answer and close arrive
   * together, does not.
   */
  private primaryGone(up: net.Socket): void {
    if (up === this.up) this.up = undefined;
    this.waiting = [];
    up.destroy();
    if (this.closeAnnounced || this.clientEnded) this.shutdown();
    this.closeAnnounced = false;
  }

  isHeadRequest(): boolean {
    return this.queue[0]?.method === 'HEAD';
  }

  onHead(head: ResponseHead): void {
    const call = this.queue[0];
    if (call === undefined) throw new Http1FramingError('bad_head', 'the primary answered a request that was not sent');
    if (!head.interim) {
      call.head(this.now, head.status, head.headers);
      this.closeAnnounced = head.close;
    }
    // Written with the body bytes that follow it in the same read (one write, one syscall).
    this.outHead += responseHead(head);
  }

  /** A head not followed by body bytes in its read goes out alone. */
  private flushHead(): void {
    if (this.outHead === '') return;
    const head = this.outHead;
    this.outHead = '';
    if (!this.client.destroyed) this.client.write(head, 'latin1');
  }

  onRaw(bytes: Buffer): void {
    let out = bytes;
    if (this.outHead !== '') {
      const head = this.outHead;
      this.outHead = '';
      out = Buffer.allocUnsafe(head.length + bytes.length);
      out.write(head, 0, 'latin1');
      bytes.copy(out, head.length);
    }
    if (!this.client.write(out) && !this.upPaused) {
      this.upPaused = true;
      const up = this.up!;
      up.pause();
      this.client.once('drain', () => {
        this.upPaused = false;
        up.resume();
      });
    }
  }

  onData(data: Buffer): void {
    this.queue[0]!.data(data, this.now, this.read);
  }

  onEnd(): void {
    this.flushHead();
    const call = this.queue.shift()!;
    this.upAnswered++;
    if (this.inRead) this.ended.push(call);
    else call.end(this.now);
    if (this.queue.length > 0) return;
    if (this.finalAnswer !== undefined) this.flushFinal();
    else if (this.clientEnded) this.shutdown();
  }
}

/** The request's head for the primary. `length` -1: no body (GET, HEAD). */
function requestHead(req: ParsedRequest, path: string, host: string, length: number): string {
  const raw = req.headers;
  const named = headerTokens(raw, 'connection');
  let s = `${req.method} ${path} HTTP/1.1\r\nhost: ${host}\r\n`;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || (named.length > 0 && named.includes(lower))) continue;
    // The answer must be readable by the decoder as it passes: ask for it uncompressed (every client accepts identity).
    s += `${name}: ${lower === 'accept-encoding' ? 'identity' : raw[i + 1]!}\r\n`;
  }
  if (length >= 0) s += `content-length: ${length}\r\n`;
  // The client's wish to close goes on: the primary closes after its answer, and so does the relay.
  if (req.close) s += 'connection: close\r\n';
  return `${s}\r\n`;
}

/** The primary's head as it came (order, case, duplicates), less one hop's fields; its framing is kept (the body passes unchanged). */
function responseHead(head: ResponseHead): string {
  const raw = head.headers;
  const named = headerTokens(raw, 'connection');
  let s = `${head.statusLine}\r\n`;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    if (!FRAMING.has(lower) && (HOP_BY_HOP_RESPONSE.has(lower) || (named.length > 0 && named.includes(lower)))) continue;
    s += `${raw[i]!}: ${raw[i + 1]!}\r\n`;
  }
  if (head.close && !head.interim) s += 'Connection: close\r\n';
  return `${s}\r\n`;
}
