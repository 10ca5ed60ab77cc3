/**
 * How a run reads in a picker (Open Results, Compare Runs): its scenario and verdict first, then
 * how long ago it started and how many requests it made, the folder last. No `vscode` import.
 */
import path from 'node:path';
import { runVerdict } from '../../core/metrics/expectations';
import { readRunFolder } from '../../core/viewmodel/run-folder';

export interface RunPickItem {
  label: string;
  description: string;
  detail: string;
  dir: string;
}

export function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

export function runPickItem(dir: string, now = Date.now()): RunPickItem {
  try {
    const info = readRunFolder(dir);
    const s = info.summary;
    if (!s) return { label: info.scenario, description: 'no summary (still running, or cut short)', detail: dir, dir };
    const v = runVerdict(s);
    const started = Date.parse(s.started_at);
    return {
      label: `${s.scenario} · ${v.label}`,
      description: `${Number.isFinite(started) ? age(now - started) : s.started_at} · ${s.requests.total.toLocaleString('en-US')} requests · ${s.duration_s.toFixed(0)}s${v.kind === 'fail' ? ` · ${v.failed} failed` : ''}`,
      detail: `${path.basename(dir)} in ${path.dirname(dir)}`,
      dir,
    };
  } catch {
    return { label: path.basename(dir), description: '', detail: dir, dir };
  }
}
