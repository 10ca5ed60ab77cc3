/**
 * The scenario language: parseScenario turns `.llmload` text into a syntax tree with diagnostics,
 * resolvePlan turns the tree into the RunPlan the engine runs, loadScenario does both for a file.
 */
export { parseScenario } from './parser';
export { resolvePlan, DEFAULTS, type ResolveOptions } from './resolver';
export { loadScenario } from './load-file';
export { loadDatasetPrompts } from './datasets';
export { formatDiagnostic } from './diagnostics';
export type { Diagnostic, Position, Range, Severity } from './diagnostics';
export type * from './plan';
export type * from './tree';
export * from './keywords';
