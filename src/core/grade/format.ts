/** Accuracy as the CLI prints it: one line with its 95% interval and verdict counts, then breakdowns. */
import type { AccuracyCounts, AccuracySummary } from './accuracy';

const pct = (v: number | null): string => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);

export function accuracyLine(a: AccuracyCounts): string {
  const ci = a.ci95 ? ` (95% CI ${pct(a.ci95[0])}–${pct(a.ci95[1])})` : '';
  return `${pct(a.value)}${ci}  correct ${a.correct}  wrong ${a.wrong}  unparsed ${a.unparsed}`;
}

/** The CLI's accuracy lines: overall, then per subject, level, bucket and time slice when there is more than one. */
export function accuracyText(a: AccuracySummary | undefined): string[] {
  if (!a) return [];
  const lines = [`  accuracy ${accuracyLine(a)}${a.failed_ungraded ? `  (${a.failed_ungraded} failed, not graded)` : ''}`];
  const table = (title: string, rows: Array<[string, AccuracyCounts]>): void => {
    if (rows.length < 2) return;
    lines.push(`  accuracy by ${title}:`);
    for (const [k, c] of rows) lines.push(`    ${k.padEnd(22)}${pct(c.value).padStart(7)}  (${c.correct}/${c.graded})`);
  };
  table('subject', Object.entries(a.by_subject));
  table('level', Object.entries(a.by_level));
  table('input tokens', Object.entries(a.by_bucket));
  table(
    a.by_time.some((s) => s.users !== undefined) ? 'load step' : 'time',
    a.by_time.map((s) => [`${s.from_s}s–${s.to_s}s${s.users !== undefined ? ` ${s.users} users` : ''}`, s]),
  );
  return lines;
}
