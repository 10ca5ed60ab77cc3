/**
 * A run as a short GitHub-flavoured Markdown summary for a CI job page (`llmload run --markdown FILE`,
 * and appended to `$GITHUB_STEP_SUMMARY` in GitHub Actions): the verdict, each expectation with its
 * actual value, its limit and ✓/✗, the headline figures (TTFT and TTFA p50/p95, token rate, QPM,
 * success, outages) and where the run folder is. Text from the scenario or the server (names,
 * models, targets) is escaped so that it shows as written and never breaks a table or adds markup.
 */
import { ciRunData, type CiSummary } from './ci-summary-data';
import type { VerdictKind } from '../metrics/expectations';
import { sweepCiRows } from './sweep-ci';
import { capacitySentence } from '../metrics/capacity-text';

export interface MarkdownSummaryOptions {
  /** The run folder as the reader should find it. */
  runDir: string;
  /** A page about this CI run (the GitHub Actions run, whose artifacts may hold the folder), linked beside the folder. */
  runUrl?: string;
  /** The internal error the run ended on, when the runner reported one: the expectations are not judged. */
  error?: string;
}

/**
 * Plain text for a Markdown line or table cell: line breaks and control characters become spaces,
 * and every character Markdown or HTML would read as markup (`|` included, which would split a
 * table cell) is backslash-escaped, which CommonMark allows for any ASCII punctuation.
 */
export function markdownText(s: string): string {
  return s
    .replace(/[\u0000-\u001F\u007F]+/g, ' ')
    .replace(/[\\`*_{}[\]<>|~&#!]/g, (c) => `\\${c}`)
    .trim();
}

const BADGE: Record<VerdictKind, string> = { pass: '✅ PASS', fail: '❌ FAIL', stopped: '⏹️ STOPPED', error: '⚠️ ERROR', done: 'ℹ️ DONE' };
const MARK = { pass: '✓', fail: '✗', 'not judged': '–' } as const;

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** A link target in `<...>`: spaces allowed; `<`, `>` and line breaks cannot appear in it. */
function linkTarget(url: string): string {
  return `<${url.replace(/[<>\s]/g, (c) => encodeURIComponent(c))}>`;
}

export function markdownSummary(s: CiSummary, opts: MarkdownSummaryOptions): string {
  const { verdict, rows, figures } = ciRunData(s, { error: opts.error });
  const lines: string[] = [];
  lines.push(`### ${BADGE[verdict.kind]}: ${markdownText(s.scenario) || 'llmload run'}`, '');
  lines.push(`**${markdownText(verdict.text)}**`, '');
  if (rows.length > 0) {
    lines.push(row(['', 'expectation', 'actual', 'limit']), row([':-:', '---', '--:', '---']));
    for (const r of rows) lines.push(row([MARK[r.state], markdownText(r.text), markdownText(r.actual), markdownText(r.limit ?? '-')]));
    lines.push('');
  }
  if (s.sweep) {
    // A sweep: the answer, then each level with its per-step SLOs (the verdict follows the capacity).
    lines.push(markdownText(capacitySentence(s.sweep)), '');
    lines.push(row(['level', 'requests', 'req/s', 'TTFT p95', 'SLOs', '']), row(['---', '--:', '--:', '--:', '---', '---']));
    for (const r of sweepCiRows(s.sweep)) lines.push(row([markdownText(r.level), String(r.requests), r.rps, markdownText(r.ttft_p95), markdownText(r.slos), r.mark]));
    lines.push('');
  }
  const dists = figures.filter((f) => f.value === undefined);
  lines.push(row(['', 'p50', 'p95']), row(['---', '--:', '--:']));
  for (const f of dists) lines.push(row([f.name, markdownText(f.p50 ?? '-'), markdownText(f.p95 ?? '-')]));
  lines.push('');
  const singles = figures.filter((f) => f.value !== undefined);
  lines.push(row(singles.map((f) => f.name)), row(singles.map(() => '--:')), row(singles.map((f) => markdownText(f.value!))), '');
  const facts = [
    `target ${markdownText(s.target)}`,
    `model ${markdownText(s.model)}`,
    ...(s.api ? [`API ${markdownText(s.api)}`] : []),
    `${Number.isFinite(s.duration_s) ? s.duration_s.toFixed(1) : '-'} s`,
    `ended by ${markdownText(s.ended_by)}`,
    `started ${markdownText(s.started_at)}`,
  ];
  lines.push(facts.join(' · '), '');
  lines.push(`Run folder: ${markdownText(opts.runDir)}${opts.runUrl ? ` ([CI run](${linkTarget(opts.runUrl)}))` : ''}`, '');
  return lines.join('\n');
}
