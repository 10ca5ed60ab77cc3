/**
 * The load engine's HTTP client runs on llmload's own HTTP/1.1 pool by default; undici's Pool stays
 * behind `LLMLOAD_HTTP_CLIENT=undici`, as a way back for a server the own pool meets badly and as
 * the bench's comparison. This file runs the transport tests again with undici, in its own process
 * (the test runner gives each file one), so both paths keep the same behaviour: stale-connection
 * retries, connection statistics, keep_alive off, 1xx, redirects, compressed streams, error classes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultTransport, HttpProtocolClient } from '../../src/core/protocols/http-client';
import { createClient } from '../../src/core/protocols';
import { plan } from '../helpers/plans';

process.env.LLMLOAD_HTTP_CLIENT = 'undici';

test('LLMLOAD_HTTP_CLIENT picks the transport: llmload by default, undici when named, anything else is an error that says what to write', () => {
  assert.equal(defaultTransport({}), 'llmload');
  assert.equal(defaultTransport({ LLMLOAD_HTTP_CLIENT: '' }), 'llmload');
  assert.equal(defaultTransport({ LLMLOAD_HTTP_CLIENT: 'LLMLOAD' }), 'llmload');
  assert.equal(defaultTransport({ LLMLOAD_HTTP_CLIENT: ' undici ' }), 'undici');
  assert.throws(() => defaultTransport({ LLMLOAD_HTTP_CLIENT: 'fetch' }), /LLMLOAD_HTTP_CLIENT=fetch: write llmload \(the default\) or undici/);
  const c = createClient(plan({ target: { kind: 'url', url: 'http://127.0.0.1:9/v1' }, model: 'm' }), 'http://127.0.0.1:9/v1');
  assert.ok(c instanceof HttpProtocolClient);
  assert.equal(c.transport, 'undici', 'this file runs on undici');
  void c.close();
});

// The same tests as on llmload's pool, registered in this process, where every client is undici's.
require('./transport-keep-alive.test');
require('./transport-classification.test');
