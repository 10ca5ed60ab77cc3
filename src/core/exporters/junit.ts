/** `llmload report RUN --junit FILE`: each expectation of the run a JUnit test case (../report/junit.ts). */
import os from 'node:os';
import type { CiSummary } from '../report/ci-summary-data';
import { junitXml } from '../report/junit';
import { ExporterUnavailableError, type Exporter, type RunSource } from './types';

/** The run's summary as the CI writers read it; a folder without one (a run still going) cannot be exported. */
export function ciSummaryOf(run: RunSource): CiSummary {
  const s = run.summaryJson();
  if (!s || !Array.isArray(s.expectations)) throw new ExporterUnavailableError(`${run.dir} has no summary.json yet (a run still going, or one that never ended)`);
  return s as unknown as CiSummary;
}

export const junitExporter: Exporter = {
  name: 'junit',
  extension: '.xml',
  command: 'report',
  reads: 'summary',
  description: 'JUnit XML: each expectation a test case, a failed one with its actual value',
  async export(run) {
    const summary = ciSummaryOf(run);
    return { text: junitXml(summary, { runDir: run.dir, hostname: os.hostname() }), note: `${summary.expectations.length} expectations` };
  },
};
