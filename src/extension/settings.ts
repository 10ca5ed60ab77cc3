/** The extension's settings (package.json contributes them under `llmload.*`), read in one place. */
import * as vscode from 'vscode';
import type { TracePlan } from '../core/scenario/plan';
import { DEFAULT_RESULTS_ROOT } from '../core/results/run-dir';
import { traceFromSetting } from './run/trace-setting';

export interface Settings {
  resultsFolder: string;
  defaultTokenizer: string;
  /** undefined = the scenario's own `trace` line. */
  trace?: TracePlan;
  costGuardTokens: number;
  environments: Record<string, string>;
  environment: string;
  /** The active environment's URL, which replaces the scenario's target; undefined when none is active. */
  environmentUrl?: string;
}

export function settings(): Settings {
  const c = vscode.workspace.getConfiguration('llmload');
  const environments = c.get<Record<string, string>>('environments') ?? {};
  const environment = c.get<string>('environment') ?? '';
  return {
    resultsFolder: c.get<string>('resultsFolder') || DEFAULT_RESULTS_ROOT,
    defaultTokenizer: c.get<string>('defaultTokenizer') || 'qwen3',
    trace: traceFromSetting(c.get<string>('traceSampling') ?? 'scenario'),
    costGuardTokens: c.get<number>('costGuard.maxTokens') ?? 1_000_000,
    environments,
    environment,
    environmentUrl: environment ? environments[environment] : undefined,
  };
}
