/**
 * A run as a JUnit XML file for CI (`llmload run --junit FILE`, `llmload junit RUN_DIR`): one
 * `<testsuite>` named after the scenario, one `<testcase>` per expect line. A failed expectation
 * carries a `<failure>` with its actual value and its limit; a run that was stopped or ended on an
 * error is not judged, so each of its expectations carries an `<error>` (never a pass), and such a
 * run without expectations gets one `run` test case with that error.
 *
 * The file validates against both common JUnit schemas (Windy Road's JUnit.xsd, the strict one, and
 * Jenkins' junit-10.xsd; test/fixtures/junit-xsd/): a root `<testsuite>` with `timestamp` (UTC, no
 * zone), `hostname`, the counts and `time`, then `<properties>`, the test cases, `<system-out>` and
 * `<system-err>`. Every text is escaped, and characters XML 1.0 cannot carry at all (control
 * characters, lone surrogates) are written as `\uXXXX`.
 */
import { ciRunData, figureLines, type CiSummary } from './ci-summary-data';
import { sweepCiLines } from './sweep-ci';
import { capacitySentence } from '../metrics/capacity-text';

export interface JunitOptions {
  /** The run folder as the reader should find it (a property, and in each failure's text). */
  runDir: string;
  /** The machine that ran the load; `localhost` when not known (as the schema asks). */
  hostname?: string;
  /** The internal error the run ended on, when the runner reported one: the expectations are not judged. */
  error?: string;
}

// XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]; nothing else, not even as &#N;.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function xmlChars(s: string): string {
  return s.replace(NOT_XML, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Text content: `&`, `<`, `>` escaped, characters XML cannot hold written as `\uXXXX`. */
export function xmlText(s: string): string {
  return xmlChars(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An attribute value in double quotes: also quotes, and tab/newline/CR as references so a parser keeps them. */
export function xmlAttr(s: string): string {
  return xmlText(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

/** A name the schemas accept (an `xs:token` of at least one character). */
function nonEmpty(s: string | undefined, fallback: string): string {
  return s !== undefined && s.trim() !== '' ? s : fallback;
}

/** `2026-12-06T14:30:48.123Z` → `2026-12-06T14:30:48` (the schema's timestamp has no zone; the run's is UTC). */
function junitTimestamp(iso: string): string {
  const t = Date.parse(iso);
  return new Date(Number.isFinite(t) ? t : 0).toISOString().slice(0, 19);
}

function seconds(s: number): string {
  return (Number.isFinite(s) && s > 0 ? s : 0).toFixed(3);
}

export function junitXml(s: CiSummary, opts: JunitOptions): string {
  const { verdict, rows, figures } = ciRunData(s, { error: opts.error });
  const suite = nonEmpty(s.scenario, 'llmload');
  const context = [`scenario: ${suite}`, `target: ${s.target}`, `model: ${s.model}`, `run folder: ${opts.runDir}`];
  const cases: string[] = [];
  for (const r of rows) {
    const head = `    <testcase name="${xmlAttr(nonEmpty(r.text, 'expectation'))}" classname="${xmlAttr(suite)}" time="0"`;
    const limit = r.limit ?? r.text;
    if (r.state === 'pass') {
      cases.push(`${head}/>`);
    } else if (r.state === 'fail') {
      const message = `${r.text}: actual ${r.actual}, limit ${limit}`;
      const body = [`expectation: ${r.text}`, `actual: ${r.actual}`, `limit: ${limit}`, ...context].join('\n');
      cases.push(`${head}>\n      <failure type="expectation" message="${xmlAttr(message)}">${xmlText(body)}</failure>\n    </testcase>`);
    } else {
      const message = `${verdict.text} (measured so far: ${r.actual}, limit ${limit})`;
      const body = [`expectation: ${r.text}`, `not judged: ${verdict.text}`, `measured so far: ${r.actual}`, `limit: ${limit}`, ...context].join('\n');
      cases.push(`${head}>\n      <error type="not judged" message="${xmlAttr(message)}">${xmlText(body)}</error>\n    </testcase>`);
    }
  }
  if (!verdict.judged && rows.length === 0) {
    cases.push(
      `    <testcase name="run" classname="${xmlAttr(suite)}" time="${seconds(s.duration_s)}">\n` +
        `      <error type="${verdict.kind}" message="${xmlAttr(verdict.text)}">${xmlText([verdict.text, ...context].join('\n'))}</error>\n    </testcase>`,
    );
  }
  const failures = rows.filter((r) => r.state === 'fail').length;
  const errors = cases.length - rows.filter((r) => r.state !== 'not judged').length;
  const props: [string, string][] = [
    ['target', s.target],
    ['model', s.model],
    ['api', s.api ?? ''],
    ['run_dir', opts.runDir],
    ['scenario_file', s.file ?? ''],
    ['started_at', s.started_at],
    ['ended_by', s.ended_by],
    ['verdict', `${verdict.label}: ${verdict.text}`],
    ...(s.sweep ? [['sweep', capacitySentence(s.sweep)] as [string, string]] : []),
  ];
  const out = [`verdict: ${verdict.label}, ${verdict.text}`, ...figureLines(figures), ...(s.sweep ? sweepCiLines(s.sweep) : []), `results: ${opts.runDir}`].join('\n');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuite name="${xmlAttr(suite)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="0" time="${seconds(s.duration_s)}" timestamp="${junitTimestamp(s.started_at)}" hostname="${xmlAttr(nonEmpty(opts.hostname, 'localhost'))}">`,
    '  <properties>',
    ...props.map(([k, v]) => `    <property name="${k}" value="${xmlAttr(v)}"/>`),
    '  </properties>',
    ...cases,
    `  <system-out>${xmlText(out)}</system-out>`,
    `  <system-err>${xmlText(opts.error ?? '')}</system-err>`,
    '</testsuite>',
    '',
  ].join('\n');
}
