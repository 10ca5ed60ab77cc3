/**
 * llmload's own HTTP/1.1 client over TLS, against a loopback https server with the self-signed
 * certificate in test/fixtures/tls: a stream read whole on a trusted certificate, keep-alive over
 * TLS, and an untrusted certificate refused as a `connect` failure, as undici refuses it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Http1Pool, type Http1Handler } from '../../src/core/protocols/http1-pool';
import { classifyTransportError, errorCode } from '../../src/core/protocols/transport-errors';

const DIR = path.resolve(__dirname, '../fixtures/tls');
const cert = fs.readFileSync(path.join(DIR, 'cert.pem'));
const key = fs.readFileSync(path.join(DIR, 'key.pem'));
const SSE = 'data: {"choices":[{"delta":{"content":"hi"}}]}\n\ndata: [DONE]\n\n';

async function httpsServer(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const server = https.createServer({ cert, key }, (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(SSE.slice(0, 20));
      setTimeout(() => res.end(SSE.slice(20)), 5);
    });
  });
  server.on('secureConnection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

function send(pool: Http1Pool): Promise<{ status?: number; body: string; error?: Error; connected: boolean }> {
  return new Promise((resolve) => {
    const out: { status?: number; body: string; error?: Error; connected: boolean } = { body: '', connected: false };
    const h: Http1Handler = {
      onConnect: () => void (out.connected = true),
      onHeaders: (status) => ((out.status = status), true),
      onData: (d) => ((out.body += d.toString('utf8')), true),
      onComplete: () => resolve(out),
      onError: (e) => resolve({ ...out, error: e }),
    };
    pool.dispatch({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.from('{"stream":true}') }, h);
  });
}

test('https: a trusted certificate, the stream read whole, three requests on one kept-alive TLS connection', async () => {
  const s = await httpsServer();
  const pool = new Http1Pool(s.url, 4, { ca: cert });
  try {
    for (let i = 0; i < 3; i++) {
      const r = await send(pool);
      assert.equal(r.error, undefined, r.error?.message);
      assert.equal(r.status, 200);
      assert.equal(r.body, SSE);
    }
    assert.equal(s.connections(), 1);
  } finally {
    await pool.destroy();
    await s.close();
  }
});

test('https: a certificate nobody trusts fails before the request is sent, and is classified as connect', async () => {
  const s = await httpsServer();
  const pool = new Http1Pool(s.url, 4);
  try {
    const r = await send(pool);
    assert.ok(r.error, 'the request failed');
    assert.equal(r.connected, false, 'the request never went out');
    assert.equal(errorCode(r.error), 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.equal(classifyTransportError(r.error, false), 'connect');
  } finally {
    await pool.destroy();
    await s.close();
  }
});
