// Cache hits visible: when most input tokens of the run, a bucket or a prompt were served from the
// server's prefix cache, summary.json, the CLI's summary and bucket table, and the panel's notes
// say that TTFT there does not measure full prefill.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/io';
import { BucketAggregator } from '../../src/core/metrics/buckets';
import { CacheShareAggregator, cacheNote } from '../../src/core/metrics/cache-share';
import type { RequestRecord } from '../../src/core/metrics/record';
import { bucketTable, cacheNotes, readBuckets } from '../../src/core/viewmodel/buckets';
import { loadTokenizer, type LoadedTokenizer } from '../../src/core/tokenize';
import { startStandin } from '../helpers/engine-standin';

function rec(prompt: string, input: number, cached: number | undefined, over: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id: 0,
    prompt,
    status: 'ok',
    warmup: false,
    input_tokens: input,
    ...(cached !== undefined ? { cached_tokens: cached } : {}),
    e2e_ms: 10,
    ttft_ms: 5,
    ttfa_ms: 5,
    token_rate: 10,
    ...over,
  } as RequestRecord;
}

describe('the cached share of input tokens', () => {
  it('a run, a bucket and a prompt get a note from half of their input tokens cached', () => {
    assert.equal(cacheNote(0.49), undefined);
    assert.equal(cacheNote(null), undefined);
    assert.equal(cacheNote(0.72), "72% of input tokens were served from the server's prefix cache: TTFT here does not measure full prefill");

    const agg = new CacheShareAggregator();
    const buckets = new BucketAggregator([1000]);
    const all = [
      rec('repeated', 500, 499),
      rec('repeated', 500, 499),
      rec('fresh', 2000, 0),
      rec('fresh', 2000, 0),
      rec('no-usage', 300, undefined), // a server that reports nothing: not counted
      rec('failed', 800, 800, { status: 'error' }), // failures do not count
      rec('warm', 800, 800, { warmup: true }),
    ];
    for (const r of all) {
      agg.add(r);
      buckets.add(r);
    }
    const s = agg.summary();
    assert.equal(s.requests, 4);
    assert.equal(s.input_tokens, 5000);
    assert.equal(s.cached_tokens, 998);
    assert.equal(s.note, undefined, 'about 20% of the run: no run note');
    assert.deepEqual(
      s.prompts.map((p) => [p.prompt, p.requests, p.share]),
      [['repeated', 2, 0.998]],
    );
    assert.equal(s.prompts_mostly_cached, 1);

    const [small, large] = buckets.figures();
    assert.equal(small!.cached_share, 998 / 1000);
    assert.match(small!.cache_note ?? '', /^100% of input tokens were served from the server's prefix cache/);
    assert.equal(large!.cached_share, 0);
    assert.equal(large!.cache_note, undefined);

    // What the panel and the CLI show, from summary.json's shape.
    const summary = { cache: s, buckets: buckets.figures() };
    assert.deepEqual(cacheNotes(summary), [
      "bucket <1k: 100% of input tokens were served from the server's prefix cache: TTFT here does not measure full prefill",
      "1 prompt(s) had most input tokens served from the server's prefix cache (repeated 100%): their TTFT does not measure full prefill",
    ]);
    const t = bucketTable(readBuckets(summary as never));
    const col = t.columns.indexOf('cached_share');
    assert.ok(col > 0, t.columns.join(', '));
    assert.deepEqual(t.rows.map((r) => r[col]), ['99.8%', '0.0%']);
  });

  it('the run\'s own note wins when most of all input was cached', () => {
    const agg = new CacheShareAggregator();
    for (let i = 0; i < 4; i++) agg.add(rec('p', 1000, i === 0 ? 0 : 990));
    const s = agg.summary();
    assert.equal(s.share, 2970 / 4000);
    assert.equal(s.note, "74% of input tokens were served from the server's prefix cache: TTFT here does not measure full prefill");
    assert.deepEqual(cacheNotes({ cache: s, buckets: [] }), [s.note]);
  });
});

describe('a llama.cpp-like server that caches a repeated prompt', () => {
  let tok: LoadedTokenizer;
  before(async () => {
    tok = await loadTokenizer('qwen3');
  });

  it('summary.json, the CLI summary and its bucket table say most input was cached', { timeout: 60_000 }, async () => {
    const srv = await startStandin({ shape: 'llama.cpp', tok, promptCache: true });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-cache-'));
    const file = path.join(dir, 'cache.llmload');
    fs.writeFileSync(
      file,
      `scenario "cache"\ntarget ${srv.url}\napi openai-chat\nmodel tiny\ntokenizer qwen3\nload users 1 for 30s\nstop after 8 requests\nbuckets 1k\n` +
        `prompt "same"\n  system ${'You answer questions about the weather in short sentences. '.repeat(10)}\n  user What is the weather like?\n  max_tokens 4\n`,
    );
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIO = { out: (l) => out.push(l), err: (l) => err.push(l), progress: () => undefined, progressDone: () => undefined };
    try {
      const code = await main(['run', file, '--out', path.join(dir, 'run'), '--quiet'], io);
      assert.equal(code, 0, err.join('\n'));
    } finally {
      await srv.close();
    }
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'run', 'summary.json'), 'utf8'));
    assert.equal(summary.requests.ok, 8);
    // 7 of 8 requests found the prompt cached (all but its last token): about 87% of input tokens.
    assert.equal(summary.cache.requests, 8);
    assert.ok(summary.cache.share > 0.8 && summary.cache.share < 0.9, String(summary.cache.share));
    assert.match(summary.cache.note, /^8\d% of input tokens were served from the server's prefix cache: TTFT here does not measure full prefill$/);
    assert.equal(summary.tokens.cached, summary.cache.cached_tokens);
    assert.match(summary.buckets[0].cache_note, /^8\d% of input tokens/);
    const text = out.join('\n');
    assert.match(text, /by input tokens +requests +success +ttft p50 +ttft p95 +e2e p95 +tok\/s p50 +cached/);
    assert.match(text, /<1k +8 +100% .* 8\d%/);
    assert.match(text, /note: 8\d% of input tokens were served from the server's prefix cache: TTFT here does not measure full prefill/);
  });
});
