/** `llmload report RUN --markdown FILE`: the run's verdict and figures for a CI job summary (../report/markdown-summary.ts). */
import { markdownSummary } from '../report/markdown-summary';
import { ciSummaryOf } from './junit';
import type { Exporter } from './types';

export const markdownSummaryExporter: Exporter = {
  name: 'markdown',
  extension: '.md',
  command: 'report',
  reads: 'summary',
  description: 'a Markdown summary (verdict, expectations, headline figures) for a CI job summary',
  async export(run) {
    const summary = ciSummaryOf(run);
    return { text: markdownSummary(summary, { runDir: run.dir }), note: `${summary.expectations.length} expectations` };
  },
};
