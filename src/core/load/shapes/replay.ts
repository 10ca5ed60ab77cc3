/** `load replay FILE at Nx`: a captured or recorded log's requests at their own offsets, sped up. */
import type { LoadShape, ReplayEntry, ReplaySchedule } from './types';

export const replayShape: LoadShape<'replay'> = {
  kind: 'replay',
  schedule: (load, ctx) => {
    if (!ctx.replay) throw new Error('a replay schedule needs the entries of its log (loadReplay)');
    return replaySchedule(ctx.replay, load.speed);
  },
};

/**
 * Replay times: each entry's offset divided by the speed factor, sorted by time; entries with equal
 * offsets keep their order in the file.
 */
export function replaySchedule(entries: readonly ReplayEntry[], speed: number): ReplaySchedule {
  if (!(speed > 0)) throw new Error(`replay speed must be above 0, got ${speed}`);
  const sends = entries.map((e, entry) => ({ at_ms: e.offset_ms / speed, entry }));
  sends.sort((a, b) => a.at_ms - b.at_ms || a.entry - b.entry);
  // A conversation's sends share a group (numbered in order of first send): one thread sends them, in order.
  const groups = new Map<string, number>();
  for (const s of sends) {
    const c = entries[s.entry]!.conversation;
    if (c === undefined) continue;
    let g = groups.get(c);
    if (g === undefined) groups.set(c, (g = groups.size));
    (s as { group?: number }).group = g;
  }
  return { kind: 'replay', sends, end_ms: sends.length > 0 ? sends[sends.length - 1]!.at_ms : 0 };
}
