/**
 * `dataset FORMAT [PATH] [weight N]` with its indented lines: templates, sampling, generated
 * lengths and grading (docs/accuracy.md); parsing, the advice for lines out of place in it, and
 * resolution (paths, the fields of the first record).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DatasetPlan, GradedDataset } from '../plan';
import type { GraderName } from '../../grade/types';
import type { Context, ParseCore } from '../parse-core';
import type { Range } from '../diagnostics';
import type { Resolution } from '../resolve-core';
import { DEFAULTS } from '../resolve-core';
import type { RawLine } from '../structure';
import { closest } from '../suggest';
import type { DatasetChild, DatasetFormat, DatasetNode, GradeOptionNode, SettingNode, TokenSpanNode, TopNode } from '../tree';
import type { BlockModule } from './block';
import { datasetLine } from './dataset-lines';
import { PARAMS, TURNS, parseBlockChild, parseWeight, resolveMessages, resolveParams } from './request-lines';
import { SESSIONS_WORD, resolveDatasetSessions } from './session-line';

export const DATASET_FORMATS = ['jsonl', 'sharegpt', 'synthetic', 'math500', 'arithmetic'] as const;


const SAMPLING: Record<string, string> = {
  sample: 'Use N records of the dataset',
  shuffle: 'Shuffle the records before sampling',
  seed: 'Seed for shuffle and sample',
};

/** Accuracy lines of datasets with answers (docs/accuracy.md). */
const GRADING: Record<string, string> = {
  grader: 'How answers are graded: grader math, exact, number, choice or regex (default math for \\boxed{} or LaTeX answers, else exact)',
  bad_records: 'A record that cannot be read: bad_records fail (default: the run does not start) or bad_records skip (left out, each one noted)',
};


const DATASET_WORDS: Record<DatasetFormat, Record<string, string>> = {
  jsonl: { ...TURNS, answer: 'The expected answer, for accuracy grading: answer {{field}}', ...PARAMS, ...SAMPLING, ...GRADING },
  math500: { ...PARAMS, ...SAMPLING, ...GRADING },
  arithmetic: {
    count: 'How many problems to generate (default 100)',
    levels: 'Difficulty levels to draw from, 1 to 4: levels 1..3 (default 1..4)',
    grader: GRADING.grader,
    seed: 'Seed for the generated problems',
    ...PARAMS,
  },
  sharegpt: { ...PARAMS, ...SAMPLING, ...SESSIONS_WORD },
  synthetic: {
    input: 'Input length: input 16k..32k tokens',
    output: 'Output length (sets max_tokens): output 256 tokens',
    shared_prefix: 'Tokens every prompt starts with: shared_prefix 4k tokens',
    count: 'How many distinct prompts to generate (default 100)',
    unique: 'Every request gets a prompt no earlier request had (a per-request nonce after the shared prefix): prefill is never served from the prefix cache',
    temperature: PARAMS.temperature,
    top_p: PARAMS.top_p,
    stop: PARAMS.stop,
    body: PARAMS.body,
    seed: 'Seed for the generated text',
  },
};

export function parseDataset(p: ParseCore, rl: RawLine): TopNode {
  const ts = rl.lex.tokens;
  const node: DatasetNode = { kind: 'dataset', ...p.base(rl), headerRange: p.lineR(rl), children: [], turns: [], broken: true };
  const usage = 'dataset jsonl PATH, dataset sharegpt PATH, dataset synthetic, dataset math500 PATH or dataset arithmetic';
  if (!ts[1]) {
    p.missing(rl, `dataset needs a format; write ${usage}`);
    return node;
  }
  node.formatWord = p.word(rl, ts[1]);
  if (!p.known(rl, ts[1], 'dataset format', DATASET_FORMATS)) return node;
  const format = ts[1].value as DatasetFormat;
  node.format = format;
  let i = 2;
  const generated = format === 'synthetic' || format === 'arithmetic';
  if (!generated) {
    if (!ts[2] || ts[2].value === 'weight') {
      p.missing(rl, `dataset ${format} needs a file path, e.g. dataset ${format} data/${format === 'math500' ? 'math500.jsonl' : `prompts.${format === 'jsonl' ? 'jsonl' : 'json'}`}`);
      return node;
    }
    node.path = p.one(rl, ts[2]);
    i = 3;
  }
  const w = parseWeight(p, rl, i, `dataset ${format}${generated ? '' : ' PATH'} weight N`);
  node.weight = w.q;
  const errorsBefore = p.errors;
  for (const c of rl.children) {
    const child = parseBlockChild(p, c, format, DATASET_WORDS[format], datasetLine);
    node.children.push(child as DatasetChild);
    if (child.kind === 'turn') node.turns.push(child);
  }
  node.broken = w.bad || p.errors > errorsBefore;
  return node;
}

/** Advice for a word that a synthetic or math500 dataset does not take. */
function misplacedInDataset(p: ParseCore, ctx: Context, kw: string, r: Range): boolean {
  if (ctx === 'synthetic' && kw === 'max_tokens') {
    p.error(r, 'a synthetic dataset sets max_tokens from its output line; write output 256 tokens');
  } else if (ctx === 'math500' && (kw === 'answer' || kw === 'user' || kw === 'system')) {
    p.error(r, `a math500 dataset sends each record's problem (with the instruction to put the answer in \\boxed{}) and grades its answer field; remove this ${kw} line, or use dataset jsonl for templates of your own`);
  } else if (ctx === 'sharegpt' && kw === 'session') {
    p.error(r, 'in a sharegpt dataset each conversation is a session: write sessions, e.g. sessions turns 4 think 2s');
  } else if (ctx === 'synthetic' && (kw === 'shuffle' || kw === 'sample')) {
    p.error(r, `"${kw}" does not apply to a synthetic dataset; set how many prompts it makes with count N`);
  } else return false;
  return true;
}

export const dataset: BlockModule = {
  directives: {
    dataset: { doc: 'Prompts from a dataset: dataset jsonl PATH, dataset sharegpt PATH, dataset synthetic, dataset math500 PATH, dataset arithmetic', parse: parseDataset },
  },
  contexts: DATASET_WORDS,
  misplaced: misplacedInDataset,
};

// ---- resolution --------------------------------------------------------------------------------

export function resolveDatasets(r: Resolution): DatasetPlan[] {
  const out: DatasetPlan[] = [];
  const names = new Map<string, number>();
  for (const d of r.tree.statements) {
    if (d.kind !== 'dataset' || !d.format) continue;
    const plan = resolveDataset(r, d);
    if (!plan) continue;
    if (names.has(plan.name)) {
      plan.name = `${plan.name}@${d.range.start.line + 1}`;
    }
    names.set(plan.name, d.range.start.line);
    out.push(plan);
  }
  return out;
}

export function resolveDataset(r: Resolution, d: DatasetNode): DatasetPlan | undefined {
  const { params, body } = resolveParams(r, d.children);
  const setting = (name: string) => d.children.find((c): c is SettingNode => c.kind === 'setting' && c.name === name);
  const sampling = {
    sample: setting('sample')?.value?.value,
    shuffle: setting('shuffle') !== undefined,
    seed: setting('seed')?.value?.value,
  };
  delete params.seed;
  if (sampling.sample === undefined) delete sampling.sample;
  if (sampling.seed === undefined) delete sampling.seed;
  const weight = d.weight?.value ?? 1;
  const option = (name: GradeOptionNode['name']) => d.children.find((c): c is GradeOptionNode => c.kind === 'grade_option' && c.name === name);
  const graded: GradedDataset = {};
  if (option('grader')?.value) graded.grader = option('grader')!.value!.text as GraderName;
  if (option('bad_records')?.value) graded.bad_records = option('bad_records')!.value!.text as 'fail' | 'skip';
  if (d.format === 'arithmetic') {
    const levels = option('levels');
    const plan: DatasetPlan = {
      kind: 'arithmetic',
      name: 'arithmetic',
      weight,
      count: setting('count')?.value?.value ?? DEFAULTS.syntheticCount,
      levels: { min: levels?.min?.value ?? 1, max: levels?.max?.value ?? 4 },
      params,
    };
    if (sampling.seed !== undefined) plan.seed = sampling.seed;
    if (graded.grader) plan.grader = graded.grader;
    if (body) plan.body = body;
    return plan;
  }
  if (d.format === 'synthetic') {
    const span = (name: TokenSpanNode['name']) => d.children.find((c): c is TokenSpanNode => c.kind === 'token_span' && c.name === name);
    const input = span('input');
    const output = span('output');
    const prefix = span('shared_prefix');
    if (!d.broken) {
      if (!input) r.error(d.keyword.range, 'dataset synthetic needs an input line, e.g. input 1k..4k tokens');
      if (!output) r.error(d.keyword.range, 'dataset synthetic needs an output line, e.g. output 256 tokens');
    }
    if (prefix?.min && input?.min && prefix.min.value >= input.min.value) {
      r.error(prefix.min.range, `shared_prefix ${prefix.min.text} is not below the shortest input (${input.min.text}); make the prefix shorter or the input longer`);
      return undefined;
    }
    if (!input?.min || !output?.min || !input.max || !output.max) return undefined;
    const plan: DatasetPlan = {
      kind: 'synthetic',
      name: 'synthetic',
      weight,
      input: { min: input.min.value, max: input.max.value },
      output: { min: output.min.value, max: output.max.value },
      shared_prefix: prefix?.min?.value ?? 0,
      count: setting('count')?.value?.value ?? DEFAULTS.syntheticCount,
      params,
    };
    const unique = setting('unique');
    if (unique) {
      plan.unique = true;
      // The per-request nonce takes NONCE_LENGTH (5) tokens after the shared prefix.
      if (plan.input.min - plan.shared_prefix < 5) {
        r.error(unique.range, `unique needs at least 5 input tokens after the shared prefix for its per-request nonce; the shortest input leaves ${plan.input.min - plan.shared_prefix}`);
      }
    }
    if (sampling.seed !== undefined) plan.seed = sampling.seed;
    if (body) plan.body = body;
    return plan;
  }
  const rel = r.text(d.path);
  if (rel === undefined) return undefined;
  const abs = r.existingFile(rel, d.path!.range);
  if (abs === undefined) return undefined;
  const name = path.basename(rel).replace(/\.(jsonl|json)$/, '');
  if (d.format === 'sharegpt') {
    const plan: DatasetPlan = { kind: 'sharegpt', name, path: abs, weight, params, ...sampling };
    if (body) plan.body = body;
    const sessions = resolveDatasetSessions(r, d.children);
    if (sessions) plan.sessions = sessions;
    return plan;
  }
  if (d.format === 'math500') {
    const plan: DatasetPlan = { kind: 'math500', name, path: abs, weight, params, ...sampling, ...graded };
    if (body) plan.body = body;
    return plan;
  }
  if (!d.broken && !d.turns.some((t) => t.role === 'user')) {
    r.error(d.path!.range, `dataset jsonl has no user template; add an indented line like: user {{question}}`);
  }
  const messages = resolveMessages(r, d.turns);
  const answerNode = d.children.find((c) => c.kind === 'answer');
  const answer = answerNode?.kind === 'answer' ? r.text(answerNode.template) : undefined;
  checkFields(r, d, abs, rel);
  if (!messages) return undefined;
  if (answer === undefined && option('grader') && !d.broken) r.error(option('grader')!.keyword.range, 'grader grades the answer line, and this dataset has none; add a line like: answer {{answer}}');
  const plan: DatasetPlan = { kind: 'jsonl', name, path: abs, weight, messages, params, ...sampling, ...graded };
  if (answer !== undefined) plan.answer = answer;
  if (body) plan.body = body;
  return plan;
}

/** Checks the `{{field}}` names against the first record of the file. */
export function checkFields(r: Resolution, d: DatasetNode, abs: string, rel: string): void {
  const head = readHead(abs, r.read);
  if (head === undefined) return;
  const firstLine = head.split(/\r?\n/).find((l) => l.trim() !== '');
  if (firstLine === undefined) {
    r.warning(d.path!.range, `${rel} is empty`);
    return;
  }
  let record: unknown;
  try {
    record = JSON.parse(firstLine);
  } catch {
    r.error(d.path!.range, `the first line of ${rel} is not JSON; a jsonl file holds one JSON object per line`);
    return;
  }
  if (!record || typeof record !== 'object' || Array.isArray(record)) {
    r.error(d.path!.range, `the first line of ${rel} is not a JSON object`);
    return;
  }
  const fields = Object.keys(record);
  const refs = d.children.flatMap((c) => (c.kind === 'turn' ? (c.text?.fields ?? []) : c.kind === 'answer' ? (c.template?.fields ?? []) : []));
  for (const f of refs) {
    const top = f.name.split('.')[0];
    if (Object.hasOwn(record as Record<string, unknown>, top)) continue;
    const near = closest(top, fields);
    r.error(
      f.range,
      `field "${f.name}" is not in the records of ${rel}${near ? `; did you mean "${near}"?` : ''} (fields: ${fields.join(', ')})`,
      near ? { range: f.range, text: `{{${near}}}`, title: `Change to {{${near}}}` } : undefined,
    );
  }
}

/** The first 64 KB of a file (through readFile when the caller gave one). */
function readHead(abs: string, read: (p: string) => string | undefined): string | undefined {
  try {
    const fd = fs.openSync(abs, 'r');
    try {
      const buf = Buffer.alloc(65536);
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      return buf.subarray(0, n).toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    const t = read(abs);
    return t === undefined ? undefined : t.slice(0, 65536);
  }
}
