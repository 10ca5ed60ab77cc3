/**
 * From a scenario file to a running load, the same way for the CLI and the editor's engine process:
 * parse and resolve the file, prepare its prompts (datasets, synthetic prompts, token counts, in the
 * tokenization worker), then start the run. Secret values the scenario used are collected so that
 * nothing written to the results folder holds them.
 */
import path from 'node:path';
import type { Diagnostic } from '../scenario/diagnostics';
import { loadScenario } from '../scenario';
import type { RunPlan } from '../scenario/plan';
import { prepareRun, PrepareError } from '../prepare/prompts';
import { TokenizeClient } from '../tokenize/client';
import { startRun, type RunHandle, type RunOptions } from './runner';
import { Redactor, trackSecrets } from '../results/redact';
import { checkPromptLimits, checkTarget, type TargetCheck } from './target-check';
import type { ReadinessWait } from './readiness';

export { PrepareError };

export interface ScenarioRunOptions extends Omit<RunOptions, 'scenarioText' | 'inputTokens' | 'secrets'> {
  env?: Record<string, string | undefined>;
  /** `${secret:NAME}`: the CLI reads environment variables, the editor its SecretStorage. */
  secret?: (name: string) => string | undefined;
  /** Replaces the plan's trace choice (a setting in the editor). */
  trace?: RunPlan['trace'];
  /** The user agreed to download a Hugging Face tokenizer that is not cached. Default false. */
  allowDownload?: boolean;
  /** A tokenizer that needs (or failed) a download fails the start with PrepareError (see PrepareOptions). */
  failOnTokenizerDownload?: boolean;
  /** A URL target that says it is not ready yet: called after each check while the run waits. */
  onReadinessWait?(w: ReadinessWait): void;
  /** What the target checks found (readiness, the server's limit, prompts over it), before the load starts. */
  onTargetCheck?(c: TargetCheck): void;
  /** Pause between two readiness checks, ms (tests); default 1000. */
  readyIntervalMs?: number;
  /** Ends a readiness wait early. */
  signal?: AbortSignal;
}

export type ScenarioRunStart =
  | { kind: 'invalid'; text: string; diagnostics: Diagnostic[] }
  | {
      kind: 'started';
      text: string;
      diagnostics: Diagnostic[];
      plan: RunPlan;
      notes: string[];
      handle: RunHandle;
      secrets: string[];
      /** Prompts over the server's or the scenario's context limit, found before the load (see checkTarget). */
      targetWarnings: string[];
    };

/**
 * Throws PrepareError when a dataset cannot be read or generated, and RunStartError when the run
 * cannot start (an unreachable target, say).
 */
export async function startScenarioRun(file: string, opts: ScenarioRunOptions = {}): Promise<ScenarioRunStart> {
  // Which `${secret:…}` and `${env:…}` values the scenario used, and where (see ../results/redact).
  const tracked = trackSecrets(opts.env ?? process.env, (name) => opts.secret?.(name));
  const { text, plan, diagnostics } = loadScenario(file, { env: tracked.env, secret: tracked.secret });
  if (!plan) return { kind: 'invalid', text, diagnostics };
  if (opts.trace) plan.trace = opts.trace;
  const secrets = tracked.secretsOf(plan);
  const redactor = new Redactor(secrets);

  const tokenize = new TokenizeClient();
  let prepared;
  let modelMaxLength: number | undefined;
  try {
    prepared = await prepareRun(plan, { tokenize, allowDownload: opts.allowDownload, failOnTokenizerDownload: opts.failOnTokenizerDownload });
    modelMaxLength = await tokenizerMaxLength(tokenize, prepared.tokenizer?.name, plan.file);
  } catch (e) {
    throw redactError(e, redactor);
  } finally {
    await tokenize.close();
  }
  // A URL target: reachable, ready where it says so, and its own context limit against the prompts.
  let targetWarnings: string[] = [];
  const url = opts.targetOverride ?? (plan.target.kind === 'url' ? plan.target.url : undefined);
  try {
    if (url) {
      const check = await checkTarget(prepared.plan, url, {
        inputTokens: prepared.inputTokens,
        modelMaxLength,
        onWait: opts.onReadinessWait,
        signal: opts.signal,
        readyIntervalMs: opts.readyIntervalMs,
      });
      prepared.plan.server = check.server;
      targetWarnings = check.warnings.map((w) => redactor.text(w));
      opts.onTargetCheck?.({ ...check, warnings: targetWarnings });
    } else {
      // The simulator publishes no limit: the prompts are checked against the scenario's own.
      targetWarnings = checkPromptLimits(prepared.plan, prepared.inputTokens, modelMaxLength).warnings;
      if (targetWarnings.length > 0) opts.onTargetCheck?.({ server: {}, warnings: targetWarnings });
    }
  } catch (e) {
    throw redactError(e, redactor);
  }
  const {
    env: _env,
    secret: _secret,
    trace: _trace,
    allowDownload: _allow,
    failOnTokenizerDownload: _fail,
    onReadinessWait: _wait,
    onTargetCheck: _check,
    readyIntervalMs: _interval,
    signal: _signal,
    ...runOptions
  } = opts;
  let handle: RunHandle;
  try {
    handle = await startRun(prepared.plan, { ...runOptions, scenarioText: text, inputTokens: prepared.inputTokens, secrets });
  } catch (e) {
    // "cannot reach https://host/?key=…": the message is shown and logged.
    throw redactError(e, redactor);
  }
  return { kind: 'started', text, diagnostics, plan: prepared.plan, notes: prepared.notes.map((n) => redactor.text(n)), handle, secrets, targetWarnings };
}

function redactError(e: unknown, redactor: Redactor): unknown {
  if (e instanceof Error && redactor.active) {
    e.message = redactor.text(e.message);
    if (e.stack) e.stack = redactor.text(e.stack);
  }
  return e;
}

/** The tokenizer's model_max_length, when it has one (the window a scenario without `context` is checked against). */
async function tokenizerMaxLength(tokenize: TokenizeClient, name: string | undefined, file: string): Promise<number | undefined> {
  if (!name) return undefined;
  try {
    return (await tokenize.load(name, { scenarioDir: file ? path.dirname(file) : process.cwd(), allowDownload: false })).modelMaxLength;
  } catch {
    return undefined;
  }
}
