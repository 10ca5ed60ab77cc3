/** `llmload trace RUN --format jsonl`: one JSON line per traced packet, with absolute times. */
import type { Exporter } from './types';

export const packetsJsonlExporter: Exporter = {
  name: 'jsonl',
  extension: '.jsonl',
  command: 'trace',
  reads: 'records',
  description: 'packets as JSON lines with run and epoch times',
  async export(run) {
    const records = await run.records();
    const packets = await run.packets();
    const byId = new Map(records.map((r) => [r.id, r]));
    const lines: string[] = [];
    for (const [id, ps] of packets) {
      const r = byId.get(id);
      if (!r) continue;
      for (const p of ps) lines.push(JSON.stringify({ request: id, prompt: r.prompt, run_ms: r.offset_ms + p.t_ms, epoch_ms: r.start_ms + p.t_ms, t_ms: p.t_ms, kind: p.kind, bytes: p.bytes, text: p.text }));
    }
    return { text: lines.join('\n') + (lines.length ? '\n' : '') };
  },
};
