// Compare of multi-turn runs against the built-in simulator over loopback (issue 18): a run on a
// profile with prefix caching against the same scenario without it. Each session's later turns
// resend the earlier ones, so with caching turn ≥ 2 skips most of its prefill: compare calls turn 2
// and 3 TTFT "better" with intervals that exclude zero, and turn 1 (no history, a fresh conversation
// each session) "no significant change". Fixed seeds, a few pairs side by side.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRun } from '../../src/core/run/runner';
import { compareRunFolders } from '../../src/core/compare/runs';
import { runCompare } from '../../src/cli/compare';
import { parseScenario, resolvePlan } from '../../src/core/scenario';
import { prepareRun } from '../../src/core/prepare/prompts';
import type { Summary } from '../../src/core/metrics/summary';

// ~400 prompt tokens prefilled at 2,000 tokens/s: ~200 ms of turn 1's TTFT is prefill; answers of 4 tokens.
const PROFILE = 'chat?overhead_ms=40&prefill_tokens_per_s=2000&decode_tokens_per_s=200&answer_tokens=4-4';
const CONVERSATIONS = 500;
const PAIRS = 3;

let tmp: string;
let data: string;

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-turn-cmp-'));
  // Every conversation opens with its own words (its first prompt block is its own, so turn 1 is
  // never served from another session's cache), then a long shared text, then two short questions.
  const shared = Array.from({ length: 160 }, (_, i) => `Fact ${i} is kept.`).join(' ');
  const conversations = Array.from({ length: CONVERSATIONS }, (_, i) => ({
    conversations: [
      { from: 'human', value: `Conversation number ${i} of the set, question one. ${shared}` },
      { from: 'gpt', value: 'recorded answer' },
      { from: 'human', value: 'And the second question?' },
      { from: 'gpt', value: 'recorded answer' },
      { from: 'human', value: 'And the third?' },
    ],
  }));
  data = path.join(tmp, 'chats.json');
  fs.writeFileSync(data, JSON.stringify(conversations));
});

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function run(name: string, seed: number, caching: boolean, turns = 3): Promise<string> {
  const file = path.join(tmp, `${name}.llmload`);
  const text =
    `scenario "turns"\ntarget builtin:${PROFILE}&prefix_caching=${caching}\nmodel sim-chat\nseed ${seed}\n` +
    `load users 6 for 60s\nstop after 90 requests\ndataset sharegpt ${data}\n  sessions turns ${turns}\n`;
  const parsed = parseScenario(text, file);
  const resolved = resolvePlan(parsed.tree, { file, env: {} });
  assert.deepEqual([...parsed.diagnostics, ...resolved.diagnostics].filter((d) => d.severity === 'error'), []);
  const { plan } = await prepareRun(resolved.plan!, { baseDir: tmp });
  const r = await (await startRun(plan, { outDir: path.join(tmp, name) })).done;
  assert.equal(r.error, undefined);
  return r.dir;
}

let cachedDir = '';
let plainDir = '';

test(`with prefix caching against without: turn 2 and 3 TTFT better (interval below zero), turn 1 no significant change, in each of ${PAIRS} seeded pairs`, async (t) => {
  const seen: string[] = [];
  for (let i = 0; i < PAIRS; i++) {
    // Side by side, so both runs meet the same machine.
    const [without, withCache] = await Promise.all([run(`plain-${i}`, 10 + i, false), run(`cached-${i}`, 20 + i, true)]);
    if (i === 0) [plainDir, cachedDir] = [without, withCache];
    const c = compareRunFolders(without, withCache);
    assert.equal(c.stats?.judged_by, 'interval');
    const row = (label: string) => c.rows.find((r) => r.label === label)!;
    const t1 = row('turn 1 ttft p50');
    const t2 = row('turn 2 ttft p50');
    const t3 = row('turn 3 ttft p50');
    seen.push(`t1 ${t1.verdict} ${t1.interval?.rel_lo?.toFixed(3)}..${t1.interval?.rel_hi?.toFixed(3)} · t2 ${t2.verdict} ${t2.interval?.rel_point?.toFixed(2)} · t3 ${t3.verdict} ${t3.interval?.rel_point?.toFixed(2)}`);
    for (const r of [t2, t3]) {
      assert.equal(r.judged_by, 'interval', r.label);
      assert.equal(r.verdict, 'better', `${r.label}: ${JSON.stringify(r.interval)}`);
      assert.ok(r.interval!.hi < 0, `${r.label}: ${JSON.stringify(r.interval)}`);
      assert.equal(r.interval!.method, 'bootstrap');
    }
    assert.equal(t1.judged_by, 'interval');
    assert.equal(t1.verdict, 'same', `turn 1: ${JSON.stringify(t1.interval)}`);
    // The A and B columns are summary.json's figures of that turn.
    const sum = JSON.parse(fs.readFileSync(path.join(withCache, 'summary.json'), 'utf8')) as Summary;
    assert.equal(t2.b, sum.sessions!.turns[1]!.ttft_ms.p50);
    assert.ok(sum.sessions!.turns[1]!.cached_share! > 0.8, `turn 2 cached share ${sum.sessions!.turns[1]!.cached_share}`);
    assert.deepEqual(c.differences!.map((d) => d.what), ['target'], 'only the profile differs');
  }
  t.diagnostic(seen.join(' | '));
});

test('the CLI prints the per-turn rows in a table of their own, and flags sessions that differ', async () => {
  assert.ok(cachedDir && plainDir, 'the runs above');
  const out: string[] = [];
  assert.equal(await runCompare([plainDir, cachedDir], { out: (l) => void out.push(l), err: () => {} }), 0);
  const text = out.join('\n');
  assert.match(text, /\nby turn\n {2}figure /);
  assert.match(text, /\n {2}turn 2 ttft p50 .* -\d+\.\d% … -\d+\.\d%\s+better\n/);
  assert.match(text, /\n {2}turn 1 ttft p50 .*no significant change\n/);
  // Two turns against three: the sessions differ, and so do the turns reached.
  const two = await run('two', 40, true, 2);
  const c = compareRunFolders(cachedDir, two);
  assert.deepEqual(
    c.differences!.filter((d) => d.what === 'sessions' || d.what === 'turns reached').map((d) => [d.what, d.a, d.b]),
    [
      ['sessions', '3 turns, think 0ms', '2 turns, think 0ms'],
      ['turns reached', 'turns 1..3', 'turns 1..2'],
    ],
  );
  const t3 = c.rows.find((r) => r.label === 'turn 3 ttft p50')!;
  assert.equal(t3.b, null);
  assert.equal(t3.verdict, 'n/a');
});
