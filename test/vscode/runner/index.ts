/// <reference types="mocha" />
/**
 * The extensionTestsPath entry: VS Code (desktop or code-server) calls run() in the extension host.
 * The harness (scripts/vscode-test.mjs) passes the bundled suite files in LLMLOAD_TEST_FILES and
 * where to write a JSON report in LLMLOAD_TEST_RESULTS; the exit code follows the failures.
 */
import { writeFileSync } from 'node:fs';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const files = JSON.parse(process.env.LLMLOAD_TEST_FILES ?? '[]') as string[];
  const mocha = new Mocha({ ui: 'tdd', timeout: 120_000, color: false, reporter: 'spec' });
  for (const f of files) mocha.addFile(f);
  const report = { passes: 0, failures: 0, pending: 0, tests: [] as { title: string; state: string; error?: string }[] };
  return new Promise<void>((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const out = process.env.LLMLOAD_TEST_RESULTS;
      if (out) writeFileSync(out, JSON.stringify(report, null, 2));
      if (failures > 0) reject(new Error(`${failures} test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => {
      report.passes++;
      report.tests.push({ title: t.fullTitle(), state: 'passed' });
    });
    runner.on('fail', (t, err: Error) => {
      report.failures++;
      report.tests.push({ title: t.fullTitle(), state: 'failed', error: err?.stack ?? String(err) });
    });
    runner.on('pending', (t) => {
      report.pending++;
      report.tests.push({ title: t.fullTitle(), state: 'pending' });
    });
  });
}
