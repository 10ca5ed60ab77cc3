// Real providers' stream shapes (test/fixtures/streams/providers/, written from each provider's
// documented format), replayed byte for byte by a loopback HTTP server in several TCP writes
// through the real client. Each must give the packet kinds, texts, finish reason, token counts and
// success its entry in expected.json names; and any split of its bytes must decode the same way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { createClient } from '../../src/core/protocols';
import { buildRecord } from '../../src/core/metrics/record';
import type { ApiKind } from '../../src/core/scenario/plan';
import { canonical, decoderFor } from '../fixtures/streams/helpers';
import type { StreamRecord } from '../../src/core/protocols/stream-record';

interface Expected {
  file: string;
  api: ApiKind;
  content_type?: string;
  source: string;
  kinds: string[];
  answer: string;
  thinking: string;
  finish: string;
  input_tokens: number;
  output_tokens: number;
  thinking_tokens: number;
  ok: boolean;
}

const DIR = path.join(__dirname, '../fixtures/streams/providers');
const TABLE = JSON.parse(readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as { fixtures: Expected[] };
const bytesOf = (f: Expected): Buffer => readFileSync(path.join(DIR, f.file));
const contentType = (f: Expected): string => f.content_type ?? 'text/event-stream';

/** `kind*n` entries expanded. */
function expand(kinds: string[]): string[] {
  return kinds.flatMap((k) => {
    const [kind, n] = k.split('*');
    return Array.from({ length: n === undefined ? 1 : Number(n) }, () => kind!);
  });
}

/** Cut points for a fixture: a few, spread over the body, different for every fixture. */
function cutsFor(name: string, len: number, count = 6): number[] {
  let h = 2166136261;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  const cuts = new Set<number>();
  for (let i = 0; i < count; i++) {
    h = Math.imul(h ^ (h >>> 13), 2654435761) >>> 0;
    cuts.add(1 + (h % Math.max(1, len - 1)));
  }
  return [...cuts].filter((c) => c < len).sort((a, b) => a - b);
}

/** Decodes `bytes` split at `cuts` with the decoder for the response's content type. */
function decodeSplit(f: Expected, bytes: Uint8Array, cuts: number[]): StreamRecord {
  const d = decoderFor(f.api, {}, contentType(f));
  let prev = 0;
  const bounds = [...cuts, bytes.length];
  bounds.forEach((b, i) => {
    d.push(bytes.subarray(prev, b), i);
    prev = b;
  });
  d.end(bounds.length);
  return d.record;
}

let server: http.Server;
let base = '';
before(async () => {
  server = http.createServer((req, res) => {
    const f = TABLE.fixtures.find((x) => x.file === req.headers['x-fixture']);
    req.resume();
    req.on('end', () => {
      if (!f) {
        res.writeHead(404).end();
        return;
      }
      const body = bytesOf(f);
      res.socket!.setNoDelay(true);
      res.writeHead(200, { 'content-type': contentType(f) });
      const bounds = [...cutsFor(f.file, body.length), body.length];
      let prev = 0;
      let i = 0;
      const next = (): void => {
        const b = bounds[i++]!;
        const piece = body.subarray(prev, b);
        prev = b;
        if (i === bounds.length) res.end(piece);
        else {
          res.write(piece);
          setTimeout(next, 2); // separate TCP writes
        }
      };
      next();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
after(() => server.close());

test('the table names every fixture in the folder, and every fixture exists', () => {
  const files = readdirSync(DIR).filter((n) => n !== 'expected.json' && n !== 'README.md').sort();
  assert.deepEqual(TABLE.fixtures.map((f) => f.file).sort(), files);
  assert.ok(files.length >= 17);
});

for (const f of TABLE.fixtures) {
  test(`replayed over loopback in several TCP writes: ${f.file}`, async () => {
    const client = createClient({ api: f.api, model: 'm', timeouts: { total_ms: 5000 }, headers: { 'x-fixture': f.file } }, base, { connections: 1 });
    try {
      const r = await client.send({ name: 'p', weight: 1, messages: [{ role: 'user', content: 'x' }], params: {} });
      assert.equal(r.error, undefined, `${f.file}: ${r.error?.message}`);
      assert.equal(r.http_status, 200);
      assert.deepEqual(
        r.packets.map((p) => p.kind),
        expand(f.kinds),
        f.file,
      );
      assert.equal(r.answer_text, f.answer, f.file);
      assert.equal(r.thinking_text, f.thinking, f.file);
      assert.equal(r.finish_reason, f.finish, f.file);
      assert.equal(r.complete, true);
      // the bytes of every packet add up to the body: nothing lost or counted twice
      assert.equal(
        r.packets.reduce((s, p) => s + p.bytes, 0),
        bytesOf(f).length,
        `${f.file}: packet bytes`,
      );
      const rec = buildRecord(r, { id: 1, prompt: 'p', user: 0, start_ms: 0, offset_ms: 0 });
      assert.equal(rec.status === 'ok', f.ok, `${f.file}: ${rec.error?.kind} ${rec.error?.message}`);
      assert.equal(rec.output_tokens, f.output_tokens, `${f.file}: output_tokens`);
      assert.equal(rec.thinking_tokens, f.thinking_tokens, `${f.file}: thinking_tokens`);
      assert.equal(rec.input_tokens, f.input_tokens, `${f.file}: input_tokens`);
      if (f.thinking.length > 0) assert.ok(rec.ttft_ms !== null && rec.ttfa_ms !== null && rec.ttft_ms <= rec.ttfa_ms);
    } finally {
      await client.close();
    }
  });
}

test('property: any split of every provider fixture decodes to the same packets', () => {
  for (const f of TABLE.fixtures) {
    const bytes = bytesOf(f);
    const whole = canonical(decodeSplit(f, bytes, []));
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 24 }), (raw) => {
        const cuts = [...raw].sort((a, b) => a - b);
        assert.deepEqual(canonical(decodeSplit(f, bytes, cuts)), whole, f.file);
      }),
      { seed: 20261206, numRuns: 40 },
    );
  }
});

test('CRLF line ends (allowed by SSE and NDJSON) give the same kinds, texts and usage', () => {
  for (const f of TABLE.fixtures) {
    const strip = (r: ReturnType<typeof canonical>) => ({ ...r, packets: r.packets.map(([k, t]) => [k, t]) });
    const lf = canonical(decodeSplit(f, bytesOf(f), []));
    const crlf = canonical(decodeSplit(f, Buffer.from(bytesOf(f).toString('utf8').replace(/\n/g, '\r\n')), []));
    assert.deepEqual(strip(crlf), strip(lf), f.file);
  }
});
