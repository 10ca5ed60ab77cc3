/** A sweep's answer in one sentence, for the CLI and the panel: the capacity, what held there, and why the sweep stopped. */
import type { SweepStepFigures, SweepSummary } from './capacity';

/** `4 users`, `1 user`, `20/s`. */
export function levelText(over: SweepSummary['over'], level: number): string {
  if (over === 'rate') return `${+level.toFixed(3)}/s`;
  return `${level} ${level === 1 ? 'user' : 'users'}`;
}

const METRIC_LABEL: Record<string, string> = { ttft: 'TTFT', ttfa: 'TTFA', e2e: 'e2e', token_rate: 'token rate', qpm: 'qpm', rps: 'rps', success: 'success', error_rate: 'error rate' };

/** `ttft` -> `TTFT`: a metric's name in a sentence. */
export function sloLabel(metric: string): string {
  return METRIC_LABEL[metric] ?? metric;
}

/** `ttft p95 < 2s` measured 1.4s -> `TTFT p95 1.40s < 2s`. */
function sloText(text: string, actual: string): string {
  const m = /^(\S+)(.*?)\s(<=|>=|==|<|>)\s(.+)$/.exec(text.trim());
  if (!m) return `${text} (${actual})`;
  return `${sloLabel(m[1]!)}${m[2]} ${actual} ${m[3]} ${m[4]}`;
}

function heldText(step: SweepStepFigures): string {
  if (step.slos.length > 0) return step.slos.map((s) => sloText(s.text, s.actual_text)).join(', ');
  const ttft = step.ttft_ms.p95;
  return `${step.throughput_rps.toFixed(1)} req/s${ttft !== null ? `, TTFT p95 ${ttft >= 1000 ? `${(ttft / 1000).toFixed(2)}s` : `${ttft.toFixed(1)}ms`}` : ''}`;
}

export function capacitySentence(s: SweepSummary): string {
  const lv = (x: number): string => levelText(s.over, x);
  const parts: string[] = [];
  const cap = s.capacity ? s.steps[s.capacity.step] : undefined;
  if (cap) parts.push(`capacity: ${lv(cap.level)} (${heldText(cap)})`);
  else if (s.steps.length === 0) parts.push('capacity: not measured (no step ran to its end)');
  else parts.push(`capacity: none of the ${s.steps.length} measured levels met every SLO`);
  if (s.search && (s.stopped_by === 'completed' || s.capacity)) {
    parts.push(searchText(s, s.search));
    if (s.knee) parts.push(`knee at ${lv(s.knee.level)}`);
    return parts.join('; ');
  }
  const last = s.steps[s.steps.length - 1];
  // The stop was judged on the requests finished by then; the figures here are taken again on every record.
  const judged = s.stop_reason?.replace(/^at [^:]+: /, '');
  if (s.stopped_by === 'slo' && last) {
    const broken = last.slos.filter((x) => !x.pass).map((x) => `${x.text} broke (${x.actual_text})`);
    parts.push(`stopped at ${lv(last.level)}: ${broken.length ? broken.join(', ') : `${judged ?? 'an SLO broke'} when judged`}`);
  } else if (s.stopped_by === 'saturated' && !s.saturated_at && last) {
    parts.push(`stopped at ${lv(last.level)}: saturated when judged (${judged ?? 'throughput stopped rising'})`);
  } else if (s.saturated_at) {
    parts.push(`saturated at ${lv(s.saturated_at.level)} (${s.saturated_at.why})`);
  } else if (s.stopped_by === 'completed') {
    parts.push(`not saturated up to ${last ? lv(last.level) : 'the last level'}`);
  } else {
    parts.push(`the run ended early (${s.stopped_by}) after ${s.steps.length} of ${s.planned_steps} steps`);
  }
  if (s.knee) parts.push(`knee at ${lv(s.knee.level)}`);
  return parts.join('; ');
}

/** `binary search: 6 probes, 5 users failed (ttft p95 < 100ms broke (250ms)), resolution 1 user`. */
function searchText(s: SweepSummary, search: NonNullable<SweepSummary['search']>): string {
  const lv = (x: number): string => levelText(s.over, x);
  const failed = search.failed === null ? undefined : s.steps.find((x) => x.level === search.failed);
  const why = failed?.probe?.why ? ` (${failed.probe.why})` : '';
  const end = failed ? `${lv(failed.level)} failed${why}` : `the highest level, ${lv(s.steps[s.steps.length - 1]?.level ?? 0)}, passed`;
  return `binary search: ${search.probes} probes, ${end}, resolution ${lv(search.resolution)}`;
}
