/**
 * The panel's "By turn" card for runs with multi-turn sessions (summary.json `sessions`, see
 * metrics/turns.ts): one row per turn with its requests, TTFT p50/p95 (TTFA when the model thought
 * first), token rate and the share of input served from the prefix cache, and a headline that
 * makes the reuse visible at a glance: turn 1's TTFT p50 against the last turn's, as a ratio.
 *
 * Plain data and text only (no DOM): webview/src/turns-view.ts puts it on screen as text.
 */
import type { SessionsSummary, TurnFigures } from '../metrics/turns';
import { fmtMs, fmtNum, fmtPct } from './format';

/** The card shows at most this many turns; the rest are in summary.json (as the CLI says). */
export const TURNS_SHOWN = 20;

export interface TurnsCard {
  /** `sessions · 12 started · 1 ended by a failed turn`. */
  label: string;
  /** `TTFT p50 turn 1 → turn 4: 820ms → 95ms (0.12×)`; absent when fewer than two turns have a TTFT. */
  headline?: string;
  /** The last turn's TTFT p50 over turn 1's (0.12 = 88% faster), for the headline's data attribute. */
  ratio?: number;
  /** The column headings, then one row of text cells per turn. */
  columns: string[];
  rows: Array<{ turn: number; cells: string[] }>;
  /** Turns left out past TURNS_SHOWN. */
  more: number;
  /** What the columns mean (the card's tooltip). */
  title: string;
}

const ratioText = (r: number): string => `${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(1) : r.toFixed(2)}×`;

/** TTFA columns only when a turn's first answer token came later than its first token (thinking). */
function showsTtfa(turns: readonly TurnFigures[]): boolean {
  return turns.some((t) => t.ttfa_ms && t.ttfa_ms.p50 !== null && t.ttfa_ms.p50 !== t.ttft_ms.p50);
}

export function turnsCard(s: SessionsSummary | undefined): TurnsCard | undefined {
  if (!s || !Array.isArray(s.turns) || s.turns.length === 0) return undefined;
  const turns = s.turns;
  const ttfa = showsTtfa(turns);
  const cached = turns.some((t) => t.cached_share !== null && t.cached_share !== undefined);
  const first = turns.find((t) => t.turn === 1)?.ttft_ms.p50 ?? null;
  const columns = ['turn', 'requests', 'failed', 'TTFT p50', 'TTFT p95', ...(ttfa ? ['TTFA p50', 'TTFA p95'] : []), 'tok/s p50', ...(cached ? ['cached'] : []), 'TTFT vs turn 1'];
  const rows = turns.slice(0, TURNS_SHOWN).map((t) => {
    const p50 = t.ttft_ms.p50;
    const vs = first !== null && first > 0 && p50 !== null ? ratioText(p50 / first) : '-';
    const cells = [
      String(t.turn),
      String(t.requests),
      String(t.failed),
      fmtMs(p50),
      fmtMs(t.ttft_ms.p95),
      ...(ttfa ? [fmtMs(t.ttfa_ms?.p50), fmtMs(t.ttfa_ms?.p95)] : []),
      fmtNum(t.token_rate?.p50 ?? null),
      ...(cached ? [fmtPct(t.cached_share, 0)] : []),
      vs,
    ];
    return { turn: t.turn, cells };
  });
  const card: TurnsCard = {
    label: `sessions · ${s.started} started · ${s.ended_by_failure} ended by a failed turn`,
    columns,
    rows,
    more: Math.max(0, turns.length - TURNS_SHOWN),
    title:
      'Each turn resends the earlier turns with the model\'s answers: a server with prefix caching serves them from its cache, so later turns\' TTFT falls and their cached share rises. ' +
      'Ok requests only for TTFT, TTFA, token rate and cached share; a failed turn ends its session.',
  };
  const last = [...turns].reverse().find((t) => t.turn > 1 && t.ttft_ms.p50 !== null);
  if (first !== null && first > 0 && last) {
    const ratio = last.ttft_ms.p50! / first;
    card.ratio = ratio;
    const change = ratio < 1 ? `${fmtPct(1 - ratio, 0)} faster` : ratio > 1 ? `${fmtPct(ratio - 1, 0)} slower` : 'no change';
    const share = last.cached_share !== null && last.cached_share !== undefined ? `, ${fmtPct(last.cached_share, 0)} of its input cached` : '';
    card.headline = `TTFT p50 turn 1 → turn ${last.turn}: ${fmtMs(first)} → ${fmtMs(last.ttft_ms.p50)} (${ratioText(ratio)}, ${change}${share})`;
  }
  return card;
}
