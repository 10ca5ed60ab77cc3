/**
 * What the accuracy chart draws (panel and HTML report): the share of correct answers per time
 * slice of `summary.accuracy.by_time` (per load step for step loads, docs/accuracy.md), as
 * percentages, with its 95% interval, and the planned users of each step on the right-hand axis.
 * Each slice is a flat segment from its start to its end, so a step reads as a step. Nothing for
 * a run that was not graded.
 */
import type { AccuracySummary } from '../grade/accuracy';
import type { Point } from './series';

export interface AccuracyChartData {
  title: string;
  /** Slices with graded answers. */
  slices: number;
  accuracy: Point[];
  ciLow: Point[];
  ciHigh: Point[];
  /** Step loads only: the users planned during each step. */
  users: Point[] | null;
}

/** A gap between two slices' segments: chart.js breaks the line at a NaN point. */
const GAP = (x: number): Point => ({ x, y: NaN });

export function accuracyChartData(acc: AccuracySummary | null | undefined): AccuracyChartData | null {
  if (!acc || acc.graded === 0 || !Array.isArray(acc.by_time)) return null;
  const slices = acc.by_time.filter((s) => s.value !== null && s.ci95 !== null && s.to_s > s.from_s);
  if (slices.length === 0) return null;
  const steps = acc.by_time.some((s) => s.users !== undefined);
  const accuracy: Point[] = [];
  const ciLow: Point[] = [];
  const ciHigh: Point[] = [];
  const users: Point[] = [];
  let lastEnd: number | null = null;
  for (const s of slices) {
    // slices that do not touch (a slice with nothing graded in between) leave a gap
    if (lastEnd !== null && s.from_s > lastEnd) for (const line of [accuracy, ciLow, ciHigh]) line.push(GAP((lastEnd + s.from_s) / 2));
    accuracy.push({ x: s.from_s, y: s.value! * 100 }, { x: s.to_s, y: s.value! * 100 });
    ciLow.push({ x: s.from_s, y: s.ci95![0] * 100 }, { x: s.to_s, y: s.ci95![0] * 100 });
    ciHigh.push({ x: s.from_s, y: s.ci95![1] * 100 }, { x: s.to_s, y: s.ci95![1] * 100 });
    lastEnd = s.to_s;
  }
  if (steps) for (const s of acc.by_time) if (s.users !== undefined) users.push({ x: s.from_s, y: s.users }, { x: s.to_s, y: s.users });
  return {
    title: steps ? 'Accuracy per load step' : 'Accuracy over time',
    slices: slices.length,
    accuracy,
    ciLow,
    ciHigh,
    users: steps ? users : null,
  };
}
