import { test } from 'node:test';
import assert from 'node:assert/strict';
import { junitXml, xmlAttr, xmlText } from '../../src/core/report/junit';
import { expectationLimit } from '../../src/core/report/ci-summary-data';
import { ciSummary } from '../helpers/ci-summary';
import { JUNIT_SCHEMAS, validate, xmllintSkip, xpath, xpathNumber } from '../helpers/xmllint';

const skip = xmllintSkip();
if (skip) console.log(`note: skipped: ${skip}`);

test('the limit of an expect line is its last comparison and value, as written', () => {
  assert.equal(expectationLimit('ttft p95 < 2s'), '< 2s');
  assert.equal(expectationLimit('success >= 99%'), '>= 99%');
  assert.equal(expectationLimit('server kv_cache_usage p95 <= 90%'), '<= 90%');
  assert.equal(expectationLimit('token_rate p50 >= 20/s'), '>= 20/s');
  assert.equal(expectationLimit('accuracy for level 5 > 50%'), '> 50%');
  assert.equal(expectationLimit('qpm == 60'), '== 60');
  assert.equal(expectationLimit('no comparison here'), null);
});

test('xml escaping: markup characters, quotes, and characters XML 1.0 cannot carry at all', () => {
  assert.equal(xmlText('a < b & c > d "q"'), 'a &lt; b &amp; c &gt; d "q"');
  assert.equal(xmlAttr(`"q" 'a'\tb\nc\rd`), '&quot;q&quot; &apos;a&apos;&#9;b&#10;c&#13;d');
  assert.equal(xmlText('bell\u0007 nul\u0000 esc\u001b'), 'bell\\u0007 nul\\u0000 esc\\u001b');
  assert.equal(xmlText('lone \ud800 surrogate, pair \ud83d\ude00 kept'), 'lone \\ud800 surrogate, pair \ud83d\ude00 kept');
  assert.equal(xmlText('\uffff'), '\\uffff');
});

test('each expectation is a test case; a failed one carries its actual value and limit; counts, time and properties', { skip }, () => {
  const xml = junitXml(ciSummary(), { runDir: '.llmload/runs/20261206T143048Z-chat-slos', hostname: 'ci-runner-7' });
  assert.equal(xpath(xml, '/testsuite/@name'), 'chat SLOs');
  assert.equal(xpath(xml, '/testsuite/@tests'), '3');
  assert.equal(xpath(xml, '/testsuite/@failures'), '2');
  assert.equal(xpath(xml, '/testsuite/@errors'), '0');
  assert.equal(xpath(xml, '/testsuite/@time'), '21.500');
  assert.equal(xpath(xml, '/testsuite/@timestamp'), '2026-12-06T14:30:48');
  assert.equal(xpath(xml, '/testsuite/@hostname'), 'ci-runner-7');
  assert.equal(xpathNumber(xml, 'count(/testsuite/testcase)'), 3);
  assert.deepEqual(
    [1, 2, 3].map((i) => xpath(xml, `/testsuite/testcase[${i}]/@name`)),
    ['ttft p95 < 2s', 'success >= 95%', 'server kv_cache_usage p95 <= 90%'],
  );
  assert.equal(xpathNumber(xml, 'count(/testsuite/testcase[2]/*)'), 0, 'a passing expectation has no child');
  assert.equal(xpath(xml, '/testsuite/testcase[1]/failure/@message'), 'ttft p95 < 2s: actual 2.40s, limit < 2s');
  assert.equal(xpath(xml, '/testsuite/testcase[1]/failure/@type'), 'expectation');
  assert.match(xpath(xml, '/testsuite/testcase[1]/failure'), /^expectation: ttft p95 < 2s\nactual: 2\.40s\nlimit: < 2s\n/);
  assert.equal(xpath(xml, '/testsuite/testcase[3]/failure/@message'), 'server kv_cache_usage p95 <= 90%: actual not measured, limit <= 90%');
  const prop = (n: string) => xpath(xml, `/testsuite/properties/property[@name="${n}"]/@value`);
  assert.equal(prop('target'), 'builtin:chat');
  assert.equal(prop('model'), 'sim-chat');
  assert.equal(prop('run_dir'), '.llmload/runs/20261206T143048Z-chat-slos');
  assert.equal(prop('verdict'), 'FAIL: 2 of 3 expectation(s) failed');
  assert.match(xpath(xml, '/testsuite/system-out'), /TTFT: p50 120\.0ms, p95 2\.40s\n.*QPM: 329\.3/s);
});

test('a stopped run is not judged: each expectation carries an <error>, none passes', { skip }, () => {
  const xml = junitXml(ciSummary({ ended_by: 'stopped', duration_s: 7 }), { runDir: 'r' });
  assert.equal(xpath(xml, '/testsuite/@failures'), '0');
  assert.equal(xpath(xml, '/testsuite/@errors'), '3');
  assert.equal(xpathNumber(xml, 'count(/testsuite/testcase/error)'), 3);
  assert.equal(xpath(xml, '/testsuite/testcase[2]/error/@message'), 'stopped after 7s: expectations not judged (measured so far: 98.33%, limit >= 95%)');
});

test('a run that ended on an error and has no expectations still reports one errored test case', { skip }, () => {
  const xml = junitXml(ciSummary({ expectations: [] }), { runDir: 'r', error: 'worker crashed' });
  assert.equal(xpath(xml, '/testsuite/@tests'), '1');
  assert.equal(xpath(xml, '/testsuite/@errors'), '1');
  assert.equal(xpath(xml, '/testsuite/testcase/@name'), 'run');
  assert.match(xpath(xml, '/testsuite/testcase/error/@message'), /ended on an error after 22s \(worker crashed\)/);
  assert.equal(xpath(xml, '/testsuite/system-err'), 'worker crashed');
  // A completed run without expectations: an empty suite, nothing failed.
  const done = junitXml(ciSummary({ expectations: [] }), { runDir: 'r' });
  assert.equal(xpath(done, '/testsuite/@tests'), '0');
});

test('names with <, &, quotes and control characters come back from a parser as written (control characters as \\uXXXX)', { skip }, () => {
  const scenario = `load <test> & "quotes" 'too'\u0001 | pipes`;
  const model = `org/model<&>"'\u0007\n2`;
  const xml = junitXml(
    ciSummary({ scenario, model, target: 'http://127.0.0.1:8000/v1?a=1&b=2', expectations: [{ text: 'ttft p95 < 2s', pass: false, actual: 2400, actual_text: '2.40s' }] }),
    { runDir: 'runs/a&b <c>' },
  );
  assert.equal(xpath(xml, '/testsuite/@name'), `load <test> & "quotes" 'too'\\u0001 | pipes`);
  assert.equal(xpath(xml, '/testsuite/testcase/@classname'), `load <test> & "quotes" 'too'\\u0001 | pipes`);
  assert.equal(xpath(xml, '/testsuite/properties/property[@name="model"]/@value'), `org/model<&>"'\\u0007\n2`);
  assert.equal(xpath(xml, '/testsuite/properties/property[@name="target"]/@value'), 'http://127.0.0.1:8000/v1?a=1&b=2');
  assert.match(xpath(xml, '/testsuite/testcase/failure'), /model: org\/model<&>"'\\u0007\n2\nrun folder: runs\/a&b <c>$/);
  for (const schema of JUNIT_SCHEMAS) {
    const v = validate(xml, schema);
    assert.ok(v.ok, v.output);
  }
});
