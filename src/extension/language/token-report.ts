/**
 * Count Tokens' report: a Markdown page with every prompt (as the server sees it) and every
 * dataset (prompts, min–max, mean, total), the limits crossed, and a total per request mix, naming
 * the tokenizer that counted. The same numbers as the inline hints. No `vscode` import.
 */
import path from 'node:path';
import { formatTokens } from './analysis';
import type { TokenHintsResult } from './token-hints';

const n = (x: number | undefined): string => (x === undefined ? '-' : Math.round(x).toLocaleString('en-US'));
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

export interface TokenReport {
  markdown: string;
  prompts: number;
  datasets: number;
  /** Tokens of one pass over every prompt block and every counted dataset prompt. */
  total: number;
}

export function tokenReport(file: string, r: TokenHintsResult): TokenReport {
  const lines: string[] = [];
  const name = path.basename(file);
  lines.push(`# Token counts: ${name}`, '');
  if (!r.tokenizer) {
    lines.push(`No counts: ${r.note ?? 'no tokenizer'}.`);
    return { markdown: lines.join('\n') + '\n', prompts: 0, datasets: 0, total: 0 };
  }
  const t = r.tokenizer;
  const how = t.chosenBy === 'scenario' ? 'the scenario\'s tokenizer line' : t.chosenBy === 'model' ? 'the model name' : 'the default setting (llmload.defaultTokenizer) or Select Tokenizer';
  lines.push(`Counted by **${t.name}** (${t.source}), chosen from ${how}.` + (t.fallbackFor ? ` It stands in for ${t.fallbackFor}, which is not downloaded yet.` : ''));
  if (r.model) lines.push(`Model: \`${r.model}\`.`);
  if (r.partial) lines.push('', `The file has errors: ${r.partial.droppedLines.length} block(s) with errors are left out (lines ${r.partial.droppedLines.map((l) => l + 1).join(', ')}).`);
  lines.push('');
  const prompts = r.hints.filter((h) => h.subject?.kind === 'prompt');
  const datasets = r.hints.filter((h) => h.subject?.kind === 'dataset');
  let total = 0;
  if (prompts.length) {
    lines.push('## Prompts', '', '| prompt | line | tokens (as sent) | |', '|---|---:|---:|---|');
    for (const h of prompts) {
      total += h.subject!.tokens ?? 0;
      lines.push(`| ${cell(h.subject!.name)} | ${h.at.line + 1} | ${n(h.subject!.tokens)} | ${h.warn ? '⚠ limit crossed' : ''} |`);
    }
    lines.push('');
  }
  if (datasets.length) {
    lines.push('## Datasets', '', '| dataset | line | prompts | min | max | mean | total |', '|---|---:|---:|---:|---:|---:|---:|');
    for (const h of datasets) {
      const s = h.subject!;
      total += s.tokens ?? 0;
      const counted = s.counted !== undefined && s.prompts !== undefined && s.counted < s.prompts ? ` (first ${n(s.counted)} counted)` : '';
      lines.push(`| ${cell(s.name)} | ${h.at.line + 1} | ${n(s.prompts)}${counted} | ${n(s.min)} | ${n(s.max)} | ${s.mean === undefined ? '-' : formatTokens(s.mean)} | ${n(s.tokens)} |`);
    }
    lines.push('');
  }
  const problems = r.hints.filter((h) => !h.subject && h.warn);
  for (const h of problems) lines.push(`- line ${h.at.line + 1}: ${h.label.replace(/^⟵ /, '')}`);
  if (r.limits.length) {
    lines.push('## Limits', '');
    for (const d of r.limits) lines.push(`- ${d.severity} on line ${d.range.start.line + 1}: ${d.message}`);
    lines.push('');
  }
  lines.push(`**Total: ${n(total)} tokens** over ${prompts.length} prompt(s) and ${datasets.length} dataset(s) (one pass over each).`);
  if (r.note) lines.push('', `_${r.note}_`);
  return { markdown: lines.join('\n') + '\n', prompts: prompts.length, datasets: datasets.length, total };
}
