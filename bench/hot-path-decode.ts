/**
 * The OpenAI chat decoder alone on nginx's canned short stream (22 events, one read a stream, as
 * nginx sends it), CPU µs per stream, for two copies of the source in alternating rounds:
 *   node --import tsx bench/hot-path-decode.ts OLD_SRC_DIR [rounds] [seconds]
 * OLD_SRC_DIR holds an older `src/` (e.g. `git archive BASE src | tar -x -C DIR`).
 */
import path from 'node:path';
import { cannedStream } from './load-servers';

type Decoder = { push(b: Buffer, t: number): void; end(t: number): void; record: { packets: unknown[] } };
type DecoderClass = new (o: { contentType: string }) => Decoder;

function cpuRound(D: DecoderClass, body: Buffer, seconds: number): number {
  let n = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    for (let k = 0; k < 100; k++) {
      const d = new D({ contentType: 'text/event-stream' });
      d.push(Buffer.from(body), 1); // a socket read is a fresh Buffer
      d.end(2);
      if (d.record.packets.length < 20) throw new Error('short stream decoded wrongly');
      n++;
    }
  }
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}

async function main(): Promise<void> {
  const oldDir = process.argv[2];
  if (!oldDir) throw new Error('usage: hot-path-decode.ts OLD_SRC_DIR [rounds] [seconds]');
  const rounds = Number(process.argv[3] ?? 5);
  const seconds = Number(process.argv[4] ?? 1);
  const oldMod = (await import(path.resolve(oldDir, 'src/core/protocols/openai-chat.ts'))) as { OpenAiChatDecoder: DecoderClass };
  const newMod = (await import('../src/core/protocols/openai-chat')) as unknown as { OpenAiChatDecoder: DecoderClass };
  const body = Buffer.from(cannedStream(22));
  for (let r = 0; r < rounds; r++) {
    const o = cpuRound(oldMod.OpenAiChatDecoder, body, seconds);
    const n = cpuRound(newMod.OpenAiChatDecoder, body, seconds);
    console.log(`round ${r + 1}: old ${o.toFixed(2)} µs/stream, new ${n.toFixed(2)} µs/stream (${(o / n).toFixed(2)}x)`);
  }
}

void main();
