import { test } from 'node:test';
import assert from 'node:assert/strict';
import { junitXml } from '../../src/core/report/junit';
import { ciSummary } from '../helpers/ci-summary';
import { HAVE_XMLLINT, JUNIT_SCHEMAS, validate, xmllintSkip } from '../helpers/xmllint';

const skip = xmllintSkip();
if (skip) console.log(`note: skipped: ${skip}`);

const VARIANTS = {
  'passing and failing expectations': ciSummary(),
  'every expectation passes': ciSummary({ expectations: [{ text: 'success >= 95%', pass: true, actual: 0.98, actual_text: '98.00%' }] }),
  'no expectations': ciSummary({ expectations: [] }),
  'a stopped run': ciSummary({ ended_by: 'stopped' }),
  'an empty scenario name, no started_at, no optional figures': { ...ciSummary({ scenario: '   ', started_at: 'not a date' }), ttft_ms: undefined, ttfa_ms: undefined, token_rate: undefined, outage_totals: undefined, api: undefined, file: undefined },
  'markup and control characters everywhere': ciSummary({
    scenario: `<testsuite name="x"> & ]]> \u0000\u0001\u001f \ud800`,
    model: `a"b'c<d>&e\u0007`,
    target: 'http://h/v1?x=<1>&y="2"',
    expectations: [{ text: `accuracy for <a&b> "c" >= 50%`, pass: false, actual: 0.1, actual_text: '10.00%' }],
  }),
};

test('xmllint is present under CI (.ci/run installs libxml2-utils)', { skip: !process.env.CI && 'not under CI' }, () => {
  assert.ok(HAVE_XMLLINT, 'xmllint must be installed in CI: apt-get install -y libxml2-utils');
});

for (const schema of JUNIT_SCHEMAS) {
  const name = schema.split('/').pop();
  test(`the JUnit file validates against ${name} (${Object.keys(VARIANTS).length} kinds of run)`, { skip }, () => {
    for (const [what, s] of Object.entries(VARIANTS)) {
      const v = validate(junitXml(s, { runDir: '.llmload/runs/x', hostname: 'runner' }), schema);
      assert.ok(v.ok, `${what}: ${v.output}`);
    }
    const err = validate(junitXml(ciSummary(), { runDir: 'r', error: 'boom <&>' }), schema);
    assert.ok(err.ok, `a run that ended on an error: ${err.output}`);
  });

  test(`${name} is strict enough to catch a broken file (the check can fail)`, { skip }, () => {
    const good = junitXml(ciSummary(), { runDir: 'r' });
    const broken = good.replace(/ tests="\d+"/, '');
    assert.notEqual(broken, good);
    assert.equal(validate(broken, schema).ok, false, 'a testsuite without tests= is invalid');
  });
}
