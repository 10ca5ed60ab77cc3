/**
 * Generated valid scenarios, written with random unit spellings, spacing, text forms, comments and
 * blank lines, resolve to exactly the plan they were generated from, with no diagnostics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseScenario, resolvePlan, type Expectation, type LoadPlan, type PromptPlan, type Stat } from '../../src/core/scenario';

type Piece = { text: string; value: number };

const duration: fc.Arbitrary<Piece> = fc.oneof(
  fc.integer({ min: 1, max: 5000 }).map((n) => ({ text: `${n}ms`, value: n })),
  fc.integer({ min: 1, max: 600 }).chain((n) => fc.constantFrom(`${n}s`, `${n} s`).map((text) => ({ text, value: n * 1000 }))),
  fc.integer({ min: 1, max: 120 }).map((n) => ({ text: `${n}m`, value: n * 60000 })),
  fc.integer({ min: 1, max: 3 }).map((n) => ({ text: `${n}h`, value: n * 3600000 })),
  fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 59 })).map(([m, s]) => ({ text: `${m}m${s}s`, value: m * 60000 + s * 1000 })),
  fc.integer({ min: 1, max: 9 }).map((n) => ({ text: `${n}.5s`, value: n * 1000 + 500 })),
);
const tokens: fc.Arbitrary<Piece> = fc.oneof(
  fc.integer({ min: 1, max: 100000 }).map((n) => ({ text: `${n}`, value: n })),
  fc.integer({ min: 1, max: 64 }).map((n) => ({ text: `${n}k`, value: n * 1000 })),
  fc.integer({ min: 1, max: 64 }).map((n) => ({ text: `${n}Ki`, value: n * 1024 })),
);
const rate: fc.Arbitrary<Piece> = fc.oneof(
  fc.integer({ min: 1, max: 600 }).chain((n) => fc.constantFrom(`${n} qpm`, `${n}qpm`).map((text) => ({ text, value: n / 60 }))),
  fc.integer({ min: 1, max: 50 }).chain((n) => fc.constantFrom(`${n} rps`, `${n}rps`, `${n}/s`).map((text) => ({ text, value: n }))),
);
const comment = fc.constantFrom('', '', '  # note', '\t# tab comment');
const word = fc.stringMatching(/^[A-Za-z][A-Za-z0-9 ,.?!'()-]{0,30}[A-Za-z0-9.?!)]$/);

const load: fc.Arbitrary<{ text: string; plan: LoadPlan }> = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 500 }), duration).map(([u, d]) => ({ text: `load users ${u} for ${d.text}`, plan: { kind: 'users', users: u, duration_ms: d.value } as LoadPlan })),
  fc
    .tuple(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 10 }), duration, fc.integer({ min: 0, max: 50 }), duration, fc.constantFrom(' users', ' user', ''))
    .map(([start, add, every, extra, hold, u]) => ({
      text: `load step\n  start ${start}${u}\n  add ${add}${u} every ${every.text}\n  max ${start + extra}${u}\n  hold ${hold.text}`,
      plan: { kind: 'step', start, add, every_ms: every.value, max: start + extra, hold_ms: hold.value } as LoadPlan,
    })),
  fc.tuple(rate, duration, fc.constantFrom('', ' poisson', ' uniform')).map(([r, d, a]) => ({
    text: `load rate ${r.text} for ${d.text}${a}`,
    plan: { kind: 'rate', per_s: r.value, duration_ms: d.value, arrival: a === ' uniform' ? 'uniform' : 'poisson' } as LoadPlan,
  })),
  fc.array(fc.tuple(fc.integer({ min: 1, max: 100 }), duration, fc.option(duration)), { minLength: 1, maxLength: 4 }).map((stages) => ({
    text: 'load stages\n' + stages.map(([to, over, hold]) => `  ramp to ${to} users over ${over.text}` + (hold ? `\n  hold ${hold.text}` : '')).join('\n'),
    plan: {
      kind: 'stages',
      stages: stages.flatMap(([to, over, hold]) => [{ kind: 'ramp_users', to, over_ms: over.value }, ...(hold ? [{ kind: 'hold', for_ms: hold.value }] : [])]),
    } as LoadPlan,
  })),
);

const turnText = fc.array(word, { minLength: 1, maxLength: 3 });
const turn = fc.tuple(fc.constantFrom('system', 'user', 'assistant'), turnText, fc.constantFrom('inline', 'block', 'fenced')).map(([role, lines, form]) => {
  const content = form === 'inline' ? lines[0] : lines.join('\n');
  const text =
    form === 'inline' ? `  ${role} ${lines[0]}` : form === 'block' ? `  ${role}\n` + lines.map((l) => `    ${l}`).join('\n') : `  ${role} """\n` + lines.map((l) => `    ${l}`).join('\n') + '\n    """';
  return { text, message: { role: role as 'system' | 'user' | 'assistant', content } };
});

const prompt = fc
  .tuple(fc.array(turn, { maxLength: 3 }), turnText, fc.option(tokens), fc.option(fc.integer({ min: 0, max: 20 })), fc.option(fc.integer({ min: 1, max: 9 })))
  .map(([turns, userLines, max, temp, weight]) => ({ turns, user: { text: `  user ${userLines[0]}`, message: { role: 'user' as const, content: userLines[0] } }, max, temp, weight }));

const slo = fc.oneof(
  fc.tuple(fc.constantFrom('ttft', 'ttfa', 'e2e', 'itl'), fc.constantFrom<Stat>('p50', 'p90', 'p95', 'p99', 'p99.9', 'mean', 'max', 'min'), fc.constantFrom('<', '<=', '>', '>=', '=='), duration).map(([m, s, op, d]) => ({
    text: `${m} ${s} ${op} ${d.text}`,
    x: { metric: m, stat: s, op, value: d.value },
  })),
  fc.tuple(fc.constantFrom('success', 'error_rate'), fc.constantFrom('<', '>='), fc.integer({ min: 0, max: 100 })).map(([m, op, p]) => ({ text: `${m} ${op} ${p}%`, x: { metric: m, op, value: Number(`${p}e-2`) } })),
  fc.tuple(fc.constantFrom('<', '>'), fc.integer({ min: 1, max: 500 })).map(([op, n]) => ({ text: `token_rate p50 ${op} ${n}/s`, x: { metric: 'token_rate', stat: 'p50', op, value: n } })),
);

test('generated valid scenarios resolve to the plan they were generated from', () => {
  fc.assert(
    fc.property(
      fc.record({
        title: word,
        builtin: fc.boolean(),
        timeout: fc.option(duration),
        load,
        prompts: fc.array(prompt, { minLength: 1, maxLength: 4 }),
        slos: fc.array(slo, { maxLength: 5 }),
        think: fc.option(duration),
        seed: fc.option(fc.nat()),
        comments: fc.array(comment, { minLength: 40, maxLength: 40 }),
      }),
      (g) => {
        let c = 0;
        const cm = () => g.comments[c++ % g.comments.length];
        const lines: string[] = ['# generated', `scenario "${g.title}"${cm()}`];
        lines.push(g.builtin ? `target builtin:chat${cm()}` : `target http://127.0.0.1:8000/v1${cm()}`, `model gen-model${cm()}`);
        if (g.timeout) lines.push(`timeout ${g.timeout.text}${cm()}`);
        // think has no effect on an open-loop rate load (and is warned about there)
        const think = g.load.plan.kind === 'rate' ? null : g.think;
        if (think) lines.push(`think ${think.text}${cm()}`);
        if (g.seed !== null) lines.push(`seed ${g.seed}${cm()}`);
        lines.push('', g.load.text, '');
        const expectedPrompts: PromptPlan[] = [];
        g.prompts.forEach((p, i) => {
          lines.push(`prompt "p${i}"${p.weight !== null ? ` weight ${p.weight}` : ''}${cm()}`);
          for (const t of [...p.turns, p.user]) lines.push(t.text);
          const params: PromptPlan['params'] = {};
          if (p.max !== null) {
            lines.push(`  max_tokens ${p.max.text}${cm()}`);
            params.max_tokens = p.max.value;
          }
          if (p.temp !== null) {
            lines.push(`  temperature ${p.temp / 10}${cm()}`);
            params.temperature = p.temp / 10;
          }
          lines.push('');
          expectedPrompts.push({ name: `p${i}`, weight: p.weight ?? 1, messages: [...p.turns, p.user].map((t) => t.message), params });
        });
        const expectations: Expectation[] = [];
        if (g.slos.length) {
          lines.push('expect');
          for (const s of g.slos) {
            expectations.push({ text: s.text, line: lines.join('\n').split('\n').length, ...s.x } as Expectation);
            lines.push(`  ${s.text}${cm()}`);
          }
        }
        const text = lines.join('\n') + '\n';
        const parsed = parseScenario(text, '/v/gen.llmload');
        const r = resolvePlan(parsed.tree, { file: '/v/gen.llmload', env: {}, readFile: () => undefined });
        assert.deepEqual([...parsed.diagnostics, ...r.diagnostics], [], text);
        const plan = r.plan!;
        assert.equal(plan.scenario, g.title);
        assert.deepEqual(plan.target, g.builtin ? { kind: 'builtin', profile: 'chat' } : { kind: 'url', url: 'http://127.0.0.1:8000/v1' });
        assert.equal(plan.timeouts.total_ms, g.timeout ? g.timeout.value : 300000);
        assert.equal(plan.think_ms, think ? think.value : 0);
        assert.equal(plan.seed, g.seed ?? undefined);
        assert.deepEqual(plan.load, g.load.plan, text);
        assert.deepEqual(plan.prompts, expectedPrompts, text);
        assert.deepEqual(plan.expectations, expectations.map((e) => (e.stat === undefined ? (({ stat: _s, ...rest }) => rest)(e) : e)), text);
      },
    ),
    { seed: 7, numRuns: 400 },
  );
});
