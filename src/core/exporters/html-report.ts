/** `llmload report RUN --html FILE`: the self-contained HTML report (../report/html.ts). */
import { buildReportData } from '../report/report-data';
import { loadReportAssets, renderReportHtml, type ReportAssets } from '../report/html';
import { ExporterUnavailableError, type Exporter } from './types';

export const htmlReportExporter: Exporter = {
  name: 'html',
  extension: '.html',
  command: 'report',
  reads: 'run-folder',
  description: 'one self-contained HTML report of a run',
  async export(run, options) {
    let assets: ReportAssets;
    try {
      assets = loadReportAssets(options.assetDirs ?? []);
    } catch (e) {
      throw new ExporterUnavailableError((e as Error).message);
    }
    const data = await buildReportData(run.dir, {}, options.now ?? new Date(), { compareWith: options.compareWith });
    const vs = data.comparison ? `, compared with ${data.comparison.comparison.a.name}` : '';
    return { text: renderReportHtml(data, assets), note: `${data.rows.length} requests, ${data.details.length} traced${vs}` };
  },
};
