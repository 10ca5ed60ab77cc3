/** The names of a run folder's files (written by ./writer.ts, read by compare, report, exporters and the panel). Imports nothing, so any layer may read them. */
export const RESULT_FILES = {
  summary: 'summary.json',
  requests: 'requests.jsonl',
  packets: 'packets.jsonl',
  series: 'series.json',
  plan: 'plan.json',
  scenario: 'scenario.llmload',
  serverMetrics: 'server-metrics.jsonl',
} as const;
