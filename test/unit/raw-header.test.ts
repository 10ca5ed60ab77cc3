// The HTTP client reads response headers from undici's raw head (rawHeader) instead of the object
// undici's controller adapter builds with its parseHeaders. For any head, rawHeader must give what
// the lookup in that object gave: names matched without case, values as UTF-8, repeats joined.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { rawHeader } from '../../src/core/protocols/http-client';

// undici's own parser (no package export names it): the reference the client used before.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parseHeaders } = require(path.join(path.dirname(require.resolve('undici')), 'lib', 'core', 'util.js')) as { parseHeaders(raw: Buffer[]): Record<string, string | string[] | undefined> };

function viaObject(raw: Buffer[], name: string): string | undefined {
  const v = parseHeaders(raw)[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const NAMES = ['Content-Type', 'content-type', 'CONTENT-TYPE', 'Connection', 'connection', 'Retry-After', 'Location', 'Content-Encoding', 'content-encoding', 'Server', 'X-Content-Type', 'Content-Typo', 'Date'];
const VALUES = ['text/event-stream', 'text/event-stream; charset=utf-8', 'close', 'keep-alive', 'Keep-Alive', '', '7', 'gzip', 'br', 'https://x.example/ü', 'nginx', 'ünïcödé ✓', ' padded '];
const LOOKUPS = ['content-type', 'connection', 'retry-after', 'location', 'content-encoding'];

test('rawHeader: the same value as undici parseHeaders + a lookup, for 3,000 random heads (repeats, case, empty values, UTF-8)', () => {
  const r = rng(20261206);
  for (let n = 0; n < 3000; n++) {
    const raw: Buffer[] = [];
    const pairs = Math.floor(r() * 9);
    for (let i = 0; i < pairs; i++) raw.push(Buffer.from(NAMES[Math.floor(r() * NAMES.length)]!, 'latin1'), Buffer.from(VALUES[Math.floor(r() * VALUES.length)]!, 'utf8'));
    for (const name of LOOKUPS) assert.equal(rawHeader(raw, name), viaObject(raw, name), `${name} in ${raw.map((b) => b.toString()).join('|')}`);
  }
});
