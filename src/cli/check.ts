/** `llmload check FILE...`: prints every diagnostic as FILE:LINE:COL: severity: MESSAGE; exit code 2 on any error. */
import path from 'node:path';
import { formatDiagnostic } from '../core/scenario/diagnostics';
import { loadScenario } from '../core/scenario';
import { shownPath } from './paths';
import { underMasterNote } from '../core/locust/scenario-notes';

/** `underMaster`: the files are about to run as Locust workers (`llmload worker`): say what the load shape becomes there. */
export function runCheck(files: string[], io: { out: (line: string) => void; err: (line: string) => void }, opts: { underMaster?: boolean } = {}): number {
  if (files.length === 0) {
    io.err('usage: llmload check FILE...');
    return 2;
  }
  let errors = 0;
  for (const file of files) {
    const r = loadScenario(path.resolve(file), { env: process.env, secret: (name) => process.env[name] });
    const sorted = [...r.diagnostics].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    for (const d of sorted) {
      if (d.severity === 'error') errors++;
      (d.severity === 'error' ? io.err : io.out)(formatDiagnostic(shownPath(file), d));
    }
    if (opts.underMaster && r.plan) {
      const n = underMasterNote(r.plan, r.text);
      if (n.severity === 'error') errors++;
      (n.severity === 'error' ? io.err : io.out)(`${shownPath(file)}:${n.line + 1}:${n.character + 1}: ${n.severity}: ${n.message}`);
    }
  }
  return errors > 0 ? 2 : 0;
}
