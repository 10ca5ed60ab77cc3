/**
 * The export formats. A new format is a file in this folder implementing `Exporter` (./types.ts)
 * and one line here; the CLI command it names offers it. See docs/architecture.md.
 */
import { htmlReportExporter } from './html-report';
import { junitExporter } from './junit';
import { markdownSummaryExporter } from './markdown-summary';
import { packetsJsonlExporter } from './packets-jsonl';
import { perfettoExporter } from './perfetto';
import type { Exporter } from './types';

export const EXPORTERS: readonly Exporter[] = [htmlReportExporter, junitExporter, markdownSummaryExporter, perfettoExporter, packetsJsonlExporter];

/** The formats a command offers, in registry order. */
export function exportersFor(command: Exporter['command']): Exporter[] {
  return EXPORTERS.filter((e) => e.command === command);
}

export function exporterNamed(command: Exporter['command'], name: string): Exporter | undefined {
  return exportersFor(command).find((e) => e.name === name);
}

export { hasRecords, openRun } from './run-source';
export { ExporterUnavailableError, type ExportOptions, type ExportReads, type ExportResult, type Exporter, type RunSource } from './types';
