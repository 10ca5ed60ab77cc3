// The Prometheus text parser over exposition text written from each engine's documented format
// (vLLM, SGLang, TGI, llama.cpp), the histogram quantiles, and each engine's mapping to the
// common series.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parsePrometheusText, PromParseError, familyOf } from '../../src/core/server-metrics/prom-text';
import { bucketDelta, bucketQuantile, bucketsOf } from '../../src/core/server-metrics/histogram';
import { detectEngine } from '../../src/core/server-metrics/engines';
import { pointOf, summarizeServer, valueOf } from '../../src/core/server-metrics/series';

const fixture = (name: string): string => fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'prometheus', name), 'utf8');

test('vLLM exposition: HELP/TYPE, labels with escapes, NaN, histogram buckets with +Inf', () => {
  const x = parsePrometheusText(fixture('vllm.txt'));
  assert.equal(x.types['vllm:time_to_first_token_seconds'], 'histogram');
  assert.equal(x.types['vllm:num_requests_running'], 'gauge');
  assert.equal(x.help['vllm:kv_cache_usage_perc'], 'KV-cache usage. 1 means 100 percent usage.');
  const info = x.samples.find((s) => s.name === 'vllm:cache_config_info')!;
  assert.equal(info.labels.prefix_caching_hash_algo, 'sha256 "builtin"\\n');
  assert.equal(info.labels.num_gpu_blocks, 'NaN');
  const inf = x.samples.find((s) => s.name === 'vllm:time_to_first_token_seconds_bucket' && s.labels.le === '+Inf')!;
  assert.equal(inf.value, 32);
  assert.equal(inf.labels.model_name, 'meta-llama/Llama-3.1-8B-Instruct');
  assert.equal(familyOf('vllm:time_to_first_token_seconds_bucket', x.types), 'vllm:time_to_first_token_seconds');
  assert.equal(x.samples.filter((s) => s.name === 'vllm:request_success_total').length, 2);
});

test('escapes in label values and HELP, special values, timestamps, comments and # EOF', () => {
  const x = parsePrometheusText(
    [
      '# a plain comment',
      '# HELP m Line one\\nback\\\\slash',
      '# TYPE m gauge',
      'm{path="C:\\\\dir\\\\file",q="say \\"hi\\"",nl="a\\nb",} NaN',
      'm{path="x"} +Inf 1700000000000',
      'm{path="y"} -Inf',
      'm{path="z"} 1.5e-3',
      '  ',
      '# EOF',
      'this is after EOF and ignored',
    ].join('\r\n'),
  );
  assert.equal(x.help.m, 'Line one\nback\\slash');
  assert.deepEqual(x.samples[0]!.labels, { path: 'C:\\dir\\file', q: 'say "hi"', nl: 'a\nb' });
  assert.ok(Number.isNaN(x.samples[0]!.value));
  assert.equal(x.samples[1]!.value, Infinity);
  assert.equal(x.samples[1]!.timestamp_ms, 1700000000000);
  assert.equal(x.samples[2]!.value, -Infinity);
  assert.equal(x.samples[3]!.value, 0.0015);
});

test('garbage is an error that names the line, not a metric', () => {
  const cases: [string, RegExp][] = [
    ['<html><body>404 not found</body></html>', /line 1: not a metric sample/],
    ['{"error":"nope"}', /line 1: not a metric sample/],
    ['ok 1\nfoo{a="1" 3', /line 2: expected , or \} after a label/],
    ['foo{a="1"} abc', /line 1: value "abc" is not a number/],
    ['foo{a="x\\q"} 1', /bad escape/],
    ['foo 1 2 3', /expected a value and an optional timestamp/],
    ['# TYPE foo bogus', /unknown metric type/],
    ['foo{a="1",a="2"} 1', /label a given twice/],
    ['foo{a="unterminated} 1', /unterminated value/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => parsePrometheusText(text), (e: unknown) => e instanceof PromParseError && re.test(e.message), text);
  }
  assert.deepEqual(parsePrometheusText('').samples, []);
});

test('histogram quantiles interpolate inside a bucket and use the growth between two scrapes', () => {
  const x = parsePrometheusText(fixture('vllm.txt'));
  const b = bucketsOf(x.samples, 'vllm:time_to_first_token_seconds')!;
  assert.deepEqual(b.map((k) => k.count), [0, 0, 20, 30, 32]);
  // rank 16 of 32 falls in (0.01, 0.1]: 0.01 + 0.09 * 16/20
  assert.ok(Math.abs(bucketQuantile(b, 0.5)! - 0.082) < 1e-9);
  // rank 31.68 is in the +Inf bucket: the last finite bound
  assert.equal(bucketQuantile(b, 0.99), 1);
  const before = b.map((k) => ({ le: k.le, count: Math.min(k.count, 20) }));
  const d = bucketDelta(b, before);
  assert.deepEqual(d.map((k) => k.count), [0, 0, 0, 10, 12]);
  assert.ok(bucketQuantile(d, 0.5)! > 0.1);
  assert.equal(bucketQuantile([{ le: 1, count: 0 }, { le: Infinity, count: 0 }], 0.5), null);
});

test('each engine maps to the common series', () => {
  const vllm = parsePrometheusText(fixture('vllm.txt')).samples;
  const e = detectEngine(vllm)!;
  assert.equal(e.engine, 'vllm');
  const first = { t_s: 0, samples: vllm };
  const p = pointOf(e, first, undefined, first);
  assert.equal(p.running, 3);
  assert.equal(p.waiting, 2);
  assert.equal(p.kv_cache_usage, 0.4375);
  assert.equal(p.preemptions, 0);

  const old = parsePrometheusText(fixture('vllm-old.txt')).samples;
  const po = pointOf(detectEngine(old)!, { t_s: 0, samples: old }, undefined, { t_s: 0, samples: old });
  assert.equal(po.kv_cache_usage, 0.9, 'the older gpu_cache_usage_perc spelling');
  assert.equal(po.prefix_hit_rate, undefined, 'a -1 hit-rate gauge means no data');

  const sg = parsePrometheusText(fixture('sglang.txt')).samples;
  const se = detectEngine(sg)!;
  assert.equal(se.engine, 'sglang');
  const ps = pointOf(se, { t_s: 0, samples: sg }, undefined, { t_s: 0, samples: sg });
  assert.deepEqual([ps.running, ps.waiting, ps.kv_cache_usage], [7, 3, 0.28]);
  assert.ok(Math.abs(ps.prefix_hit_rate! - 0.0075) < 1e-4);

  const tg = parsePrometheusText(fixture('tgi.txt')).samples;
  const te = detectEngine(tg)!;
  assert.equal(te.engine, 'tgi');
  const pt = pointOf(te, { t_s: 0, samples: tg }, undefined, { t_s: 0, samples: tg });
  assert.deepEqual([pt.running, pt.waiting], [8, 5]);

  const ll = parsePrometheusText(fixture('llamacpp.txt')).samples;
  const le = detectEngine(ll)!;
  assert.equal(le.engine, 'llamacpp');
  const pl = pointOf(le, { t_s: 0, samples: ll }, undefined, { t_s: 0, samples: ll });
  assert.deepEqual([pl.running, pl.waiting, pl.kv_cache_usage], [4, 2, 0.125]);
  assert.equal(valueOf(ll, le.generation_tokens), 3469);
});

test('rates and percentiles over the interval between two scrapes, and the run summary', () => {
  const base = parsePrometheusText(fixture('vllm.txt')).samples;
  const bump = (name: string, by: number) => base.map((s) => (s.name === name ? { ...s, value: s.value + by } : s));
  let later = bump('vllm:prompt_tokens_total', 2000);
  later = later.map((s) => (s.name === 'vllm:generation_tokens_total' ? { ...s, value: s.value + 500 } : s));
  later = later.map((s) => (s.name === 'vllm:prefix_cache_queries_total' ? { ...s, value: s.value + 1000 } : s.name === 'vllm:prefix_cache_hits_total' ? { ...s, value: s.value + 250 } : s));
  later = later.map((s) => (s.name === 'vllm:num_preemptions_total' ? { ...s, value: 3 } : s));
  // 10 more TTFT observations, all in (0.1, 1]
  later = later.map((s) => (s.name === 'vllm:time_to_first_token_seconds_bucket' && Number(s.labels.le === '+Inf' ? Infinity : s.labels.le) >= 1 ? { ...s, value: s.value + 10 } : s));
  const a = { t_s: 1, samples: base };
  const b = { t_s: 3, samples: later };
  const e = detectEngine(base)!;
  const p = pointOf(e, b, a, a);
  assert.equal(p.prompt_tokens_per_s, 1000);
  assert.equal(p.generation_tokens_per_s, 250);
  assert.equal(p.prefix_hit_rate, 0.25);
  assert.equal(p.preemptions, 3);
  assert.ok(p.ttft_p50_ms! > 100 && p.ttft_p50_ms! <= 1000, `${p.ttft_p50_ms}`);
  const s = summarizeServer({ url: 'u', every_s: 1, failed: [{ t_s: 2, error: 'HTTP 404' }] }, [a, b], ['python_gc_objects_collected_total']);
  assert.equal(s.engine, 'vllm');
  assert.equal(s.scrapes, 3);
  assert.equal(s.failed_scrapes, 1);
  assert.equal(s.preemptions, 3);
  assert.equal(s.prompt_tokens, 2000);
  assert.equal(s.prefix_hit_rate, 0.25);
  assert.equal(s.queued, true, 'waiting was 2');
  assert.equal(s.raw!.python_gc_objects_collected_total!.max, 12345);
});
