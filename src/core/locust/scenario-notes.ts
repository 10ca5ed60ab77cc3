/**
 * What a scenario means under a Locust master: its load shape is not used (the master sets each
 * worker's user count and ramps it at its spawn rate), everything else is. A replay load cannot run
 * there: it has no users to hand out.
 */
import type { RunPlan } from '../scenario/plan';

export interface MasterNote {
  /** 0-based line and column of the scenario's load line (0:0 when it has none). */
  line: number;
  character: number;
  severity: 'error' | 'note';
  message: string;
}

/** The note (or, for a replay load, the error) about the scenario's load shape under a master. */
export function underMasterNote(plan: RunPlan, text: string): MasterNote {
  const lines = text.split(/\r?\n/);
  let line = lines.findIndex((l) => /^\s*(load|stages)\b/.test(l));
  const character = line >= 0 ? lines[line]!.search(/\S/) : 0;
  if (line < 0) line = 0;
  if (plan.load.kind === 'replay') {
    return { line, character, severity: 'error', message: 'a replay load cannot run under a Locust master (it has no users to hand out); use `load users ...` or any closed or open load, which the master replaces' };
  }
  return {
    line,
    character,
    severity: 'note',
    message:
      'under a Locust master (`llmload worker`) this load shape is ignored: the master sets the number of users and the rate at which they are added; prompts, think time, stop conditions and expectations apply as usual',
  };
}
