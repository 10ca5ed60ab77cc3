/**
 * xmllint (Debian's libxml2-utils) for the JUnit tests: schema validation and XPath reads through a
 * real XML parser. Absent, the tests that need it skip with a message, except under CI (CI=true),
 * where .ci/run installs it and a missing xmllint is a failure.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './cli';

export const JUNIT_SCHEMAS = ['JUnit.xsd', 'junit-10.xsd'].map((f) => path.join(ROOT, 'test', 'fixtures', 'junit-xsd', f));

export const HAVE_XMLLINT = spawnSync('xmllint', ['--version'], { encoding: 'utf8' }).status === 0;

/** `{ skip }` for node:test: a reason when xmllint is missing outside CI; false (run, and fail) otherwise. */
export function xmllintSkip(): string | false {
  if (HAVE_XMLLINT || process.env.CI) return false;
  return 'xmllint is not installed (apt-get install -y libxml2-utils); CI runs this test';
}

function tempFile(xml: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmload-junit-'));
  const file = path.join(dir, 'junit.xml');
  fs.writeFileSync(file, xml);
  return file;
}

/** Validates against a schema; returns xmllint's output, and whether it passed. */
export function validate(xml: string, schema: string): { ok: boolean; output: string } {
  const file = tempFile(xml);
  const r = spawnSync('xmllint', ['--noout', '--schema', schema, file], { encoding: 'utf8' });
  if (r.error) throw r.error;
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

/** The string value of an XPath expression over the document, as a parser decodes it. */
export function xpath(xml: string, expr: string): string {
  const r = spawnSync('xmllint', ['--xpath', `string(${expr})`, tempFile(xml)], { encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`xmllint --xpath ${expr}: ${r.stderr}`);
  return r.stdout.replace(/\n$/, '');
}

/** A number from an XPath expression (`count(//testcase)`). */
export function xpathNumber(xml: string, expr: string): number {
  const r = spawnSync('xmllint', ['--xpath', expr, tempFile(xml)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`xmllint --xpath ${expr}: ${r.stderr}`);
  return Number(r.stdout.trim());
}
