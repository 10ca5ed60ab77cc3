// `llmload mirror` from the command line: options checked with clear messages, a run with --for
// that proxies other APIs too (Anthropic with x-api-key), and the printed comparison.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mirrorCommand } from '../../src/cli/mirror';
import { startSimulator } from '../../src/core/sim';
import type { CliIO } from '../../src/cli/io';
import type { RequestRecord } from '../../src/core/metrics/record';

function io(): CliIO & { outs: string[]; errs: string[] } {
  const outs: string[] = [];
  const errs: string[] = [];
  return { outs, errs, out: (l) => outs.push(l), err: (l) => errs.push(l), progress: () => {}, progressDone: () => {} };
}

test('bad options exit 2 and say what to write', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['--shadow', 'http://127.0.0.1:1'], /--primary is required/],
    [['--primary', 'ftp://x', '--shadow', 'http://127.0.0.1:1'], /--primary takes an http:\/\/ or https:\/\/ URL/],
    [['--primary', 'http://127.0.0.1:1', '--shadow', 'http://127.0.0.1:2', '--sample', 'half'], /--sample takes a share of conversations/],
    [['--primary', 'http://127.0.0.1:1', '--shadow', 'http://127.0.0.1:2', '--listen', '8080'], /--listen takes HOST:PORT/],
    [['--primary', 'http://127.0.0.1:1', '--shadow', 'http://127.0.0.1:2', '--keep-prompts', 'all'], /--keep-prompts takes keep, hash or drop/],
    [['--primary', 'http://127.0.0.1:1', '--shadow', 'http://127.0.0.1:2', '--max-shadow-inflight', '0'], /--max-shadow-inflight takes a whole number above 0/],
    [['--primary', 'http://127.0.0.1:1', '--shadow', 'http://127.0.0.1:2', '--shadow-delay', '5'], /--shadow-delay: expected a duration like 10s/],
    [['--primary', 'http://127.0.0.1:1', '--shadow', 'http://127.0.0.1:2', '--bogus'], /Unknown option '--bogus'/],
  ];
  for (const [args, re] of cases) {
    const o = io();
    assert.equal(await mirrorCommand(args, o), 2, args.join(' '));
    assert.match(o.errs.join('\n'), re);
    assert.match(o.errs.join('\n'), /usage: llmload mirror/);
  }
});

test('llmload mirror --for: proxies an Anthropic stream with x-api-key, the shadow gets its own key, and the summary is printed', async () => {
  const p = await startSimulator({ profile: 'chat?decode_tokens_per_s=2000' });
  const s = await startSimulator({ profile: 'chat?decode_tokens_per_s=1000', seed: 3 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-mirror-cli-'));
  const o = io();
  const root = p.baseUrls.anthropic;
  const done = mirrorCommand(
    ['--listen', '127.0.0.1:0', '--primary', root, '--shadow', s.baseUrls.anthropic, '--sample', '100%', '--out', path.join(dir, 'out'), '--shadow-key', 'MIRROR_TEST_SHADOW_KEY', '--for', '1500ms', '--capture', path.join(dir, 'cap.jsonl')],
    o,
    { MIRROR_TEST_SHADOW_KEY: 'sk-shadow-from-env-77' },
  );
  for (let i = 0; i < 100 && !o.outs.some((l) => l.includes('listening on')); i++) await new Promise((r) => setTimeout(r, 10));
  const url = /listening on (http:\/\/\S+)/.exec(o.outs[0]!)![1]!;
  const r = await fetch(`${url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-client-secret-99', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: 'claude-sim', max_tokens: 12, stream: true, messages: [{ role: 'user', content: 'hello' }] }),
  });
  const text = await r.text();
  assert.equal(r.status, 200);
  assert.match(text, /event: message_stop/);
  assert.equal(await done, 0);
  const out = o.outs.join('\n');
  assert.match(out, /requests: 1 to the primary .* 1 sent to the shadow/);
  assert.match(out, /pairs: 1, both ok 1/);
  assert.match(out, /llmload compare .*primary .*shadow/);
  const read = (side: string): RequestRecord[] =>
    fs
      .readFileSync(path.join(dir, 'out', side, 'requests.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as RequestRecord);
  const [pr] = read('primary');
  const [sr] = read('shadow');
  assert.equal(pr!.status, 'ok');
  assert.equal(sr!.status, 'ok');
  assert.equal(pr!.output_tokens, 12);
  assert.equal(pr!.prompt, 'claude-sim');
  assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'out', 'primary', 'plan.json'), 'utf8')).api, 'anthropic');
  const cap = fs.readFileSync(path.join(dir, 'cap.jsonl'), 'utf8');
  assert.match(cap, /"api":"anthropic"/);
  assert.match(cap, /"content":"sha256:[0-9a-f]{16}"/, 'prompts are hashed by default');
  for (const f of [path.join(dir, 'cap.jsonl'), ...['primary', 'shadow'].flatMap((side) => fs.readdirSync(path.join(dir, 'out', side)).map((n) => path.join(dir, 'out', side, n)))]) {
    const t = fs.readFileSync(f, 'utf8');
    assert.ok(!t.includes('sk-ant-client-secret-99') && !t.includes('sk-shadow-from-env-77'), f);
  }
  await p.close();
  await s.close();
});
