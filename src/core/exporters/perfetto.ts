/** `llmload trace RUN --format perfetto`: requests and packets as a Chrome/Perfetto trace (../results/trace-export.ts). */
import { buildChromeTrace } from '../results/trace-export';
import type { Exporter } from './types';

export const perfettoExporter: Exporter = {
  name: 'perfetto',
  extension: '.json',
  command: 'trace',
  reads: 'records',
  description: 'a run as a Chrome/Perfetto trace',
  async export(run) {
    const records = await run.records();
    const packets = await run.packets();
    const summary = run.summaryJson();
    const meta = summary ? (({ scenario, target, started_at }) => ({ scenario, target, started_at }))(summary) : {};
    return { text: JSON.stringify(buildChromeTrace(records, packets, meta)) };
  },
};
