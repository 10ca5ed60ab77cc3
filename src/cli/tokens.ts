/**
 * `llmload tokens FILE...`: each prompt's token count as the server sees it (chat = templated,
 * raw = the message contents alone), each dataset's min/mean/max and histogram over the
 * scenario's buckets, and the limit checks. The same numbers the editor shows inline.
 * Exit 0 when all counts fit, 1 when a prompt exceeds the context window, 2 when a scenario is
 * invalid, 3 when its tokenizer cannot be loaded (a Hugging Face model id that is not cached needs
 * `--download-tokenizer`, the user's agreement to download its tokenizer files).
 */
import path from 'node:path';
import { formatDiagnostic } from '../core/scenario/diagnostics';
import { loadScenario } from '../core/scenario';
import type { RunPlan } from '../core/scenario/plan';
import { shownPath } from './paths';
import { bucketLabel, countPlan, guessBundledFromModel, hubEndpoint, loadTokenizer, needsDownload, type LoadedTokenizer } from '../core/tokenize';

interface Io {
  out(line: string): void;
  err(line: string): void;
}

const n = (x: number): string => Math.round(x).toLocaleString('en-US');

/** Which tokenizer a plan counts with, and how it was chosen. */
function tokenizerSpec(plan: RunPlan): { spec: string; note: string } | undefined {
  if (plan.tokenizer) return { spec: plan.tokenizer, note: '' };
  const guess = guessBundledFromModel(plan.model);
  if (guess) return { spec: guess, note: ` (guessed from model ${plan.model}; set \`tokenizer\` to be sure)` };
  return undefined;
}

export interface TokensOptions {
  /** The user agreed to download a Hugging Face tokenizer that is not cached (`--download-tokenizer`). */
  allowDownload?: boolean;
}

/** What to add to a needs-download message on the command line: the flag that gives the agreement. */
export const DOWNLOAD_FLAG_HINT =
  'To let llmload download it (tokenizer.json and tokenizer_config.json, a few MB, into the Hugging Face cache), rerun with --download-tokenizer.';

export async function runTokens(files: string[], io: Io, opts: TokensOptions = {}): Promise<number> {
  if (files.length === 0) {
    io.err('usage: llmload tokens FILE... [--download-tokenizer]');
    return 2;
  }
  let worst = 0;
  for (const file of files) worst = Math.max(worst, await tokensOf(file, io, opts));
  return worst;
}

async function tokensOf(file: string, io: Io, opts: TokensOptions): Promise<number> {
  const abs = path.resolve(file);
  const shown = shownPath(abs);
  const loaded = loadScenario(abs, { env: process.env, secret: (name) => process.env[name] });
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (!loaded.plan || errors.length > 0) {
    for (const d of errors) io.err(formatDiagnostic(shown, d));
    if (errors.length === 0) io.err(`${shown}: the scenario could not be resolved`);
    return 2;
  }
  const plan = loaded.plan;
  const chosen = tokenizerSpec(plan);
  if (!chosen) {
    io.err(`${shown}: no tokenizer to count with: add a \`tokenizer\` line (a bundled name such as qwen3, a folder, or a Hugging Face model id)`);
    return 3;
  }
  let tok: LoadedTokenizer;
  try {
    tok = await loadTokenizer(chosen.spec, { scenarioDir: path.dirname(abs), allowDownload: opts.allowDownload ?? false });
  } catch (e) {
    io.err(`${shown}: ${(e as Error).message}`);
    if (needsDownload(e)) io.err(DOWNLOAD_FLAG_HINT);
    return 3;
  }
  if (tok.source === 'hub') io.err(`downloaded tokenizer ${tok.name} from ${hubEndpoint()} into ${shownPath(tok.location)}`);
  const counts = countPlan(tok, plan, { baseDir: path.dirname(abs), text: loaded.text });
  const win = counts.context;
  io.out(
    `${shown}: tokenizer ${tok.name} (${tok.source})${chosen.note}; ` +
      (win ? `context ${n(win.tokens)} (${win.from})` : 'context window unknown') +
      `; the server sees the ${counts.served} count`,
  );
  if (counts.served === 'chat' && !counts.templated) io.out('  (this tokenizer has no chat template: chat counts are raw counts)');

  const width = Math.max(0, ...counts.prompts.map((p) => p.name.length)) + 2;
  for (const p of counts.prompts) {
    const c = p.counts;
    io.out(
      `  prompt ${`"${p.name}"`.padEnd(width)} chat ${n(c.chat).padStart(7)}  raw ${n(c.raw).padStart(7)}  turns ${c.turns.map(n).join('+')}` +
        (p.maxTokens !== undefined ? `  max_tokens ${n(p.maxTokens)}` : ''),
    );
  }
  for (const d of counts.datasets) {
    if (d.error) continue; // reported with the diagnostics below
    io.out(
      `  dataset "${d.name}" (${d.kind}, ${n(d.chat.n)} prompts)  chat min ${n(d.chat.min)} mean ${n(d.chat.mean)} max ${n(d.chat.max)}` +
        `  raw min ${n(d.raw.min)} mean ${n(d.raw.mean)} max ${n(d.raw.max)}`,
    );
    if (d.served.histogram.length > 0) {
      io.out(`    buckets (${counts.served}): ` + d.served.histogram.map((h) => `${bucketLabel(h)} ${h.count}`).join(', '));
    }
  }
  for (const d of counts.diagnostics) (d.severity === 'error' ? io.err : io.out)(formatDiagnostic(shown, d));
  if (counts.datasets.some((d) => d.error)) return 2;
  return counts.diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
}
