/**
 * The one typed message protocol between the VS Code host and the engine process it forks. The
 * messages are core's (src/core/messages.ts, shared with the CLI and the panel); the host adds
 * only run options that exist in the editor (trace sampling from the settings).
 */
import type { EngineToHost as CoreEngineToHost, HostToEngine as CoreHostToEngine } from '../core/messages';
import type { TracePlan } from '../core/scenario/plan';

export type RunRequest = Extract<CoreHostToEngine, { type: 'run' }> & {
  /** Replaces the scenario's `trace` line (the llmload.traceSampling setting); absent = the scenario's. */
  trace?: TracePlan;
};

export type HostToEngine = RunRequest | Extract<CoreHostToEngine, { type: 'stop' }>;
export type EngineToHost = CoreEngineToHost;
