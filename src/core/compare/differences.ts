/**
 * What differs between the set-ups of two runs, read from their plan.json and summary.json: the
 * target, API, model, tokenizer, load shape (its details too), warmup, stop rules, think time, prompts and datasets. Compare shows these
 * at the top, so a change in TTFT is read against a change in load or model, not taken for a
 * server regression. Secrets never appear: plan.json holds none, and headers are not compared by value.
 */
import type { Summary } from '../metrics/summary';
import type { LoadPlan, RunPlan } from '../scenario/plan';
import { sessionDifferences } from './turn-rows';

export interface PlanDifference {
  /** `target`, `model`, `load`, `prompts`, ... */
  what: string;
  a: string;
  b: string;
}

const dur = (ms: number): string => (!Number.isFinite(ms) ? 'until stopped' : ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000}m` : ms >= 1000 ? `${+(ms / 1000).toFixed(1)}s` : `${ms}ms`);

export function loadText(l: Partial<LoadPlan> | undefined): string {
  if (!l || typeof l !== 'object') return '-';
  const o = l as Record<string, unknown>;
  const n = (k: string): number => (typeof o[k] === 'number' ? (o[k] as number) : NaN);
  switch (l.kind) {
    case 'users':
      return `${n('users')} users for ${dur(n('duration_ms'))}`;
    case 'step':
      return `step ${n('start')} +${n('add')} every ${dur(n('every_ms'))} to ${n('max')} users, hold ${dur(n('hold_ms'))}`;
    case 'rate':
      return `${+(n('per_s') * 60).toFixed(1)} qpm (${String(o.arrival ?? '')}${typeof o.burstiness === 'number' ? ` ${o.burstiness}` : ''}) for ${dur(n('duration_ms'))}`;
    case 'burst':
      return `burst ${n('size')} every ${dur(n('every_ms'))} for ${dur(n('duration_ms'))}`;
    case 'stages':
      return `${Array.isArray(o.stages) ? o.stages.length : 0} stages`;
    case 'replay':
      return `replay ${String(o.path ?? '')} at ${String(o.speed ?? 1)}x`;
    case 'sweep':
      return `sweep ${String(o.over)} ${n('from')}..${n('to')}${o.search ? ' search' : ''} each ${dur(n('each_ms'))}`;
    default:
      return JSON.stringify(l);
  }
}

function targetText(p: Partial<RunPlan> | undefined, s: Summary | undefined | null): string {
  if (s?.target) return s.target;
  const t = p?.target as { kind?: string; profile?: string; url?: string } | undefined;
  return t ? (t.kind === 'builtin' ? `builtin:${t.profile}` : (t.url ?? '-')) : '-';
}

function promptsText(p: Partial<RunPlan> | undefined): string {
  const prompts = Array.isArray(p?.prompts) ? p!.prompts : [];
  const datasets = Array.isArray(p?.datasets) ? p!.datasets : [];
  const parts = prompts.map((x) => `${x.name}${x.weight !== 1 ? ` ×${x.weight}` : ''}`);
  for (const d of datasets) parts.push(`dataset ${(d as { kind?: string }).kind ?? ''} ${(d as { path?: string; name?: string }).path ?? (d as { name?: string }).name ?? ''}`.trim());
  return parts.join(', ') || '-';
}

function warmupText(p: Partial<RunPlan> | undefined): string {
  const w = p?.warmup;
  if (!w) return 'none';
  return [w.duration_ms !== undefined ? dur(w.duration_ms) : '', w.requests !== undefined ? `${w.requests} requests` : ''].filter(Boolean).join(', ') || 'none';
}

function stopText(p: Partial<RunPlan> | undefined): string {
  const s = p?.stop;
  if (!s) return 'none';
  const parts = [s.after_ms !== undefined ? `after ${dur(s.after_ms)}` : '', s.after_requests !== undefined ? `after ${s.after_requests} requests` : '', s.error_rate_above !== undefined ? `error rate above ${+(s.error_rate_above * 100).toFixed(2)}%` : ''];
  return parts.filter(Boolean).join(', ') || 'none';
}

/** A fingerprint of the prompts' content (text and parameters): same names may hide changed text. */
function promptsContent(p: Partial<RunPlan> | undefined): string {
  return JSON.stringify([p?.prompts ?? [], p?.datasets ?? []]);
}

export function planDifferences(
  a: { plan?: Partial<RunPlan> | null; summary?: Summary | null },
  b: { plan?: Partial<RunPlan> | null; summary?: Summary | null },
): PlanDifference[] {
  const pa = a.plan ?? undefined;
  const pb = b.plan ?? undefined;
  const out: PlanDifference[] = [];
  const add = (what: string, x: string, y: string) => {
    if (x !== y) out.push({ what, a: x, b: y });
  };
  add('target', targetText(pa, a.summary), targetText(pb, b.summary));
  add('api', String(a.summary?.api ?? pa?.api ?? '-'), String(b.summary?.api ?? pb?.api ?? '-'));
  add('model', String(a.summary?.model ?? pa?.model ?? '-'), String(b.summary?.model ?? pb?.model ?? '-'));
  add('tokenizer', String(pa?.tokenizer ?? '-'), String(pb?.tokenizer ?? '-'));
  const la = loadText(pa?.load);
  const lb = loadText(pb?.load);
  if (la !== lb) add('load', la, lb);
  // Same words, other shape (stage lists, a replay window, a new load kind's options): still a different load.
  else if (JSON.stringify(pa?.load ?? null) !== JSON.stringify(pb?.load ?? null)) out.push({ what: 'load', a: `${la} (details differ)`, b: lb });
  add('warmup', warmupText(pa), warmupText(pb));
  add('stop', stopText(pa), stopText(pb));
  add('think', dur(pa?.think_ms ?? 0), dur(pb?.think_ms ?? 0));
  const na = promptsText(pa);
  const nb = promptsText(pb);
  if (na !== nb) add('prompts', na, nb);
  else if (promptsContent(pa) !== promptsContent(pb)) out.push({ what: 'prompts', a: `${na} (text or parameters differ)`, b: nb });
  out.push(...sessionDifferences(a, b, dur));
  add('scenario', String(a.summary?.scenario ?? pa?.scenario ?? '-'), String(b.summary?.scenario ?? pb?.scenario ?? '-'));
  const ea = a.summary?.ended_by;
  const eb = b.summary?.ended_by;
  if (ea && eb && ea !== eb) out.push({ what: 'ended by', a: ea, b: eb });
  return out;
}
