// The panel's "By turn" card (viewmodel/turns-card.ts) and the per-turn rows of Compare
// (compare/turn-rows.ts) on hand-made records and summaries, in plain Node: the turn figures the
// aggregator folds, the card's cells and its turn 1 → last turn headline, the rows' A and B
// figures, noise band and names, the interval test on each turn's own requests, and what differs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TurnAggregator, type SessionsSummary } from '../../src/core/metrics/turns';
import { turnsCard, TURNS_SHOWN } from '../../src/core/viewmodel/turns-card';
import { compareSummaries } from '../../src/core/compare/compare';
import { samplesOf } from '../../src/core/compare/samples';
import { applySignificance } from '../../src/core/compare/significance';
import { planDifferences } from '../../src/core/compare/differences';
import { comparisonText } from '../../src/core/compare/text-table';
import type { Summary } from '../../src/core/metrics/summary';
import type { RequestRecord } from '../../src/core/metrics/record';
import type { RunPlan } from '../../src/core/scenario/plan';
import { okRecord } from '../helpers/records';
import { plan } from '../helpers/plans';

/** `sessions` sessions of `turns` turns; turn t's TTFT is ttft(t, i) for the i-th session. */
function records(sessions: number, turns: number, ttft: (turn: number, i: number) => number, over: Partial<RequestRecord> = {}): RequestRecord[] {
  const out: RequestRecord[] = [];
  let id = 0;
  for (let i = 0; i < sessions; i++) {
    for (let t = 1; t <= turns; t++) {
      const v = ttft(t, i);
      out.push(okRecord({ id: id++, offset_ms: id * 10, session: i, turn: t, ttft_ms: v, ttfa_ms: v, e2e_ms: v + 400, ...over }));
    }
  }
  return out;
}

function sessionsOf(recs: readonly RequestRecord[]): SessionsSummary {
  const agg = new TurnAggregator();
  for (const r of recs) agg.add(r);
  return agg.summary()!;
}

test('per turn: TTFT, TTFA, token rate and cached share; TTFA only when some answer came after thinking', () => {
  const recs = records(4, 2, (t) => (t === 1 ? 800 : 100), { input_tokens: 1000, cached_tokens: 0 });
  for (const r of recs) if (r.turn === 2) r.cached_tokens = 900;
  recs.push(okRecord({ id: 99, session: 9, turn: 2, status: 'error', error: { kind: 'http_5xx', message: '500' }, ttft_ms: null }));
  const s = sessionsOf(recs);
  assert.deepEqual(
    s.turns.map((t) => [t.turn, t.requests, t.failed, t.ttft_ms.p50, t.ttfa_ms?.p50, t.token_rate?.p50, t.cached_share]),
    [
      [1, 4, 0, 800, 800, 50, 0],
      [2, 5, 1, 100, 100, 50, 0.9],
    ],
  );
  const card = turnsCard(s)!;
  assert.equal(card.label, 'sessions · 4 started · 1 ended by a failed turn');
  // TTFA equals TTFT (no thinking): no TTFA columns.
  assert.deepEqual(card.columns, ['turn', 'requests', 'failed', 'TTFT p50', 'TTFT p95', 'tok/s p50', 'cached', 'TTFT vs turn 1']);
  assert.deepEqual(card.rows, [
    { turn: 1, cells: ['1', '4', '0', '800ms', '800ms', '50.0', '0%', '1.0×'] },
    { turn: 2, cells: ['2', '5', '1', '100ms', '100ms', '50.0', '90%', '0.13×'] },
  ]);
  assert.equal(card.ratio, 0.125);
  assert.equal(card.headline, 'TTFT p50 turn 1 → turn 2: 800ms → 100ms (0.13×, 88% faster, 90% of its input cached)');
  // A reasoning model: the first answer token comes after the thinking, so TTFA gets columns of its own.
  const thinking = sessionsOf(records(3, 2, (t) => (t === 1 ? 500 : 200)).map((r) => ({ ...r, ttfa_ms: r.ttft_ms! + 1000 })));
  const tc = turnsCard(thinking)!;
  assert.deepEqual(tc.columns, ['turn', 'requests', 'failed', 'TTFT p50', 'TTFT p95', 'TTFA p50', 'TTFA p95', 'tok/s p50', 'TTFT vs turn 1']);
  assert.deepEqual(tc.rows[1]!.cells.slice(3, 7), ['200ms', '200ms', '1.20s', '1.20s']);
  assert.equal(tc.headline, 'TTFT p50 turn 1 → turn 2: 500ms → 200ms (0.40×, 60% faster)');
});

test('the card: nothing without sessions, no headline with one turn, at most TURNS_SHOWN rows and the rest counted', () => {
  assert.equal(turnsCard(undefined), undefined);
  assert.equal(turnsCard({ started: 0, ended_by_failure: 0, turns: [] }), undefined);
  const one = turnsCard(sessionsOf(records(2, 1, () => 300)))!;
  assert.equal(one.headline, undefined);
  assert.equal(one.rows.length, 1);
  const long = turnsCard(sessionsOf(records(2, TURNS_SHOWN + 5, (t) => 100 + t)))!;
  assert.equal(long.rows.length, TURNS_SHOWN);
  assert.equal(long.more, 5);
  // The headline reaches the last turn, not the last one shown.
  assert.match(long.headline!, new RegExp(`turn 1 → turn ${TURNS_SHOWN + 5}: 101ms → 12\\dms \\(1\\.2×, 2\\d% slower\\)`));
});

function summaryOf(recs: RequestRecord[]): Summary {
  // Only what compare reads: counts, the run's TTFT, sessions.
  const ok = recs.filter((r) => r.status === 'ok');
  return {
    scenario: 's',
    started_at: '2026-01-01T00:00:00Z',
    duration_s: 10,
    requests: { total: recs.length, ok: ok.length, failed: recs.length - ok.length, cancelled: 0 },
    sessions: sessionsOf(recs),
  } as unknown as Summary;
}

test('compare: turn N against turn N, judged by the bootstrap on that turn\'s requests alone', () => {
  // B: turn 2 and 3 at a third of A's TTFT, turn 1 alike; 30 sessions each, a little spread.
  const a = records(30, 3, (t, i) => 600 + ((i * 7) % 11));
  const b = records(30, 3, (t, i) => (t === 1 ? 600 : 200) + ((i * 5) % 13));
  const sa = summaryOf(a);
  const sb = summaryOf(b);
  const c = compareSummaries(sa, sb);
  const turnRows = c.rows.filter((r) => r.turn !== undefined);
  assert.deepEqual(
    turnRows.map((r) => [r.label, r.name, r.a, r.b]),
    [1, 2, 3].flatMap((t) =>
      ['p50', 'p95'].map((stat) => [`turn ${t} ttft ${stat}`, `Turn ${t}: time to first token, ${stat}`, sa.sessions!.turns[t - 1]!.ttft_ms[stat as 'p50'], sb.sessions!.turns[t - 1]!.ttft_ms[stat as 'p50']]),
    ),
  );
  // Without samples, a turn's rows keep the noise band of its 30 requests (±18%), not the run's 90.
  assert.ok(Math.abs(turnRows[0]!.noise! - 1 / Math.sqrt(30)) < 1e-9);
  const stats = applySignificance(c.rows, samplesOf(a, 10), samplesOf(b, 10), { seed: 3 });
  const row = (label: string) => c.rows.find((r) => r.label === label)!;
  assert.equal(row('turn 1 ttft p50').verdict, 'same');
  assert.equal(row('turn 1 ttft p50').judged_by, 'interval');
  for (const t of [2, 3]) {
    const r = row(`turn ${t} ttft p50`);
    assert.equal(r.verdict, 'better');
    assert.ok(r.interval!.hi < 0 && r.interval!.method === 'bootstrap', JSON.stringify(r.interval));
    // The point is that turn's own medians (exact from the samples; the summary's histogram keeps 3 digits), not the run's.
    assert.ok(Math.abs(r.interval!.point - (r.b! - r.a!)) < 2, `${r.interval!.point} against ${r.b! - r.a!}`);
  }
  // p95 needs 200 requests of the turn in each run: not tested, and said why.
  assert.equal(row('turn 2 ttft p95').judged_by, 'untested');
  assert.match(row('turn 2 ttft p95').note!, /needs 200 in each run/);
  assert.equal(stats.counts.better >= 2, true);
  // The CLI prints them under "by turn".
  const text = comparisonText(c).join('\n');
  assert.match(text, /\nby turn\n {2}figure .*\n {2}turn 1 ttft p50 /);
  assert.ok(!/\nturn 1 ttft p50/.test(text), 'not in the main table');
});

test('compare: a turn one run lacks is n/a; a run without sessions has no turn rows', () => {
  const a = records(12, 2, () => 300);
  const b = records(12, 3, () => 300);
  const c = compareSummaries(summaryOf(a), summaryOf(b));
  applySignificance(c.rows, samplesOf(a, 10), samplesOf(b, 10));
  const t3 = c.rows.find((r) => r.label === 'turn 3 ttft p50')!;
  assert.equal(t3.a, null);
  assert.equal(t3.verdict, 'n/a');
  const plain = { ...summaryOf(a), sessions: undefined } as Summary;
  assert.deepEqual(compareSummaries(plain, plain).rows.filter((r) => r.turn !== undefined), []);
  // Runs without turns in requests.jsonl (samples of records with no turn): the turn rows are not tested, with the reason.
  const noTurns = a.map(({ turn: _, session: __, ...r }) => r as RequestRecord);
  const d = compareSummaries(summaryOf(a), summaryOf(a));
  applySignificance(d.rows, samplesOf(noTurns, 10), samplesOf(a, 10));
  const r1 = d.rows.find((r) => r.label === 'turn 1 ttft p50')!;
  assert.equal(r1.judged_by, 'untested');
  assert.match(r1.note!, /a run has no requests of turn 1 in its requests\.jsonl/);
});

test('differences: the sessions as planned (turns, think time) and the turns the runs reached', () => {
  const withSession = (turns: number, think_ms?: number): Partial<RunPlan> =>
    plan({ prompts: [{ name: 'chat', weight: 1, messages: [{ role: 'user', content: 'Hi' }], params: {}, session: { preamble: [], users: ['Hi', 'More'], turns, ...(think_ms !== undefined ? { think_ms } : {}) } }] });
  const sum = (turns: number) => summaryOf(records(2, turns, () => 100));
  const diff = (pa: Partial<RunPlan>, pb: Partial<RunPlan>, ta: number, tb: number) =>
    planDifferences({ plan: pa, summary: sum(ta) }, { plan: pb, summary: sum(tb) }).filter((d) => d.what === 'sessions' || d.what === 'turns reached').map((d) => [d.what, d.a, d.b]);
  assert.deepEqual(diff(withSession(3), withSession(3), 3, 3), []);
  assert.deepEqual(diff(withSession(3), withSession(4), 3, 4), [
    ['sessions', '3 turns, think 0ms', '4 turns, think 0ms'],
    ['turns reached', 'turns 1..3', 'turns 1..4'],
  ]);
  assert.deepEqual(diff(withSession(3), withSession(3, 2000), 3, 3), [['sessions', '3 turns, think 0ms', '3 turns, think 2s']]);
  // The scenario's think applies when the session line has none.
  assert.deepEqual(diff(withSession(3, 2000), { ...withSession(3), think_ms: 2000 }, 3, 3).filter((d) => d[0] === 'sessions'), []);
  assert.deepEqual(diff(plan(), withSession(2), 2, 2)[0], ['sessions', 'none', '2 turns, think 0ms']);
  // A sharegpt dataset whose records were not read into prompts: its sessions line.
  const ds = (turns?: number): Partial<RunPlan> =>
    plan({ prompts: [], datasets: [{ kind: 'sharegpt', name: 'chats', path: '/x.json', weight: 1, params: {}, shuffle: false, sessions: turns !== undefined ? { turns } : {} }] as RunPlan['datasets'] });
  assert.deepEqual(diff(ds(), ds(3), 2, 2), [['sessions', 'turns as recorded, think 0ms', '3 turns, think 0ms']]);
});
