/**
 * The OpenAI chat decoder alone on nginx's canned short stream (22 events, one read a stream, as
 * nginx sends it), CPU µs per stream, for two copies of the source in alternating rounds:
 *   node --import tsx bench/hot-path-decode.ts OLD_SRC_DIR [rounds] [seconds] [ids]
 * OLD_SRC_DIR holds an older `src/` (e.g. `git archive BASE src | tar -x -C DIR`).
 * `ids`: every stream has its own id and `created`, as vLLM and SGLang send them (nginx's canned
 * stream repeats one id), so only what a decoder learns within a stream can help it.
 * Each measurement runs in its own process (after a warm-up), old and new taking turns to go first:
 * with both copies in one process the one imported first was measured 5-18% cheaper, the same code
 * against itself.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { cannedStream } from './load-servers';

type Decoder = { push(b: Buffer, t: number): void; end(t: number): void; record: { packets: unknown[] } };
type DecoderClass = new (o: { contentType: string }) => Decoder;

function cpuRound(D: DecoderClass, bodies: Buffer[], seconds: number): number {
  let n = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    for (let k = 0; k < 100; k++) {
      const d = new D({ contentType: 'text/event-stream' });
      d.push(Buffer.from(bodies[n % bodies.length]!), 1); // a socket read is a fresh Buffer
      d.end(2);
      if (d.record.packets.length < 20) throw new Error('short stream decoded wrongly');
      n++;
    }
  }
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}

/** 256 copies of the canned stream, each with a vLLM-like id (`chatcmpl-` + 32 hex) and its own `created`. */
function perStreamIds(body: string): Buffer[] {
  return Array.from({ length: 256 }, (_, k) =>
    Buffer.from(body.replaceAll('"chatcmpl-bench"', `"chatcmpl-${crypto.randomBytes(16).toString('hex')}"`).replaceAll('"created":1700000000', `"created":${1700000000 + k}`)),
  );
}

/** One measurement in this process: the decoder of `srcRoot`, warmed up, then timed. */
async function child(srcRoot: string, seconds: number, ids: boolean): Promise<void> {
  const mod = (await import(path.resolve(srcRoot, 'src/core/protocols/openai-chat.ts'))) as { OpenAiChatDecoder: DecoderClass };
  const canned = cannedStream(22);
  const bodies = ids ? perStreamIds(canned) : [Buffer.from(canned)];
  if (ids && bodies[0]!.equals(bodies[1]!)) throw new Error('the per-stream ids were not substituted');
  cpuRound(mod.OpenAiChatDecoder, bodies, Math.min(1, seconds));
  console.log(JSON.stringify(cpuRound(mod.OpenAiChatDecoder, bodies, seconds)));
}

function measure(srcRoot: string, seconds: number, ids: boolean): number {
  const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--one', srcRoot, String(seconds), ids ? 'ids' : 'one'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`measuring ${srcRoot} failed: ${r.stderr}`);
  return Number(r.stdout.trim().split('\n').pop());
}

async function main(): Promise<void> {
  if (process.argv[2] === '--one') return child(process.argv[3]!, Number(process.argv[4]), process.argv[5] === 'ids');
  const oldDir = process.argv[2];
  if (!oldDir) throw new Error('usage: hot-path-decode.ts OLD_SRC_DIR [rounds] [seconds] [ids]');
  const rounds = Number(process.argv[3] ?? 5);
  const seconds = Number(process.argv[4] ?? 1);
  const ids = process.argv[5] === 'ids';
  const newDir = path.resolve(__dirname, '..');
  console.log(`${ids ? 'a new id per stream' : "nginx's canned stream (one id)"}, ${rounds} rounds of ${seconds} s each`);
  let so = 0;
  let sn = 0;
  for (let r = 0; r < rounds; r++) {
    const oldFirst = r % 2 === 0;
    const o1 = oldFirst ? measure(oldDir, seconds, ids) : 0;
    const n = measure(newDir, seconds, ids);
    const o = oldFirst ? o1 : measure(oldDir, seconds, ids);
    so += o;
    sn += n;
    console.log(`round ${r + 1}: old ${o.toFixed(2)} µs/stream, new ${n.toFixed(2)} µs/stream (${(o / n).toFixed(2)}x)`);
  }
  console.log(`mean: old ${(so / rounds).toFixed(2)} µs/stream, new ${(sn / rounds).toFixed(2)} µs/stream (${(so / sn).toFixed(2)}x)`);
}

void main();
