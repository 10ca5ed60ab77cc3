/**
 * The OpenAI chat decoder alone on nginx's canned short stream (22 events, one read a stream, as
 * nginx sends it), CPU µs per stream, for two copies of the source in alternating rounds:
 *   node --import tsx bench/hot-path-decode.ts OLD_SRC_DIR [rounds] [seconds] [ids|interleaved]
 * OLD_SRC_DIR holds an older `src/` (e.g. `git archive BASE src | tar -x -C DIR`).
 * `ids`: every stream has its own id and `created`, as vLLM and SGLang send them (nginx's canned
 * stream repeats one id), so only what a decoder learns within a stream can help it.
 * `interleaved`: those streams 64 at a time, one event per read, taking turns (a real server
 * streaming tokens to 64 users: a thread's decoders see their chunks alternate).
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

/** The streams of `bodies` 64 at a time, each split into its events, pushed one event per read in turns. */
function interleavedRound(D: DecoderClass, bodies: Buffer[], seconds: number): number {
  const events = bodies.map((b) => b.toString().split(/(?<=\n\n)/).map((e) => Buffer.from(e)));
  let n = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    const group = Array.from({ length: 64 }, (_, k) => events[(n + k) % events.length]!);
    const ds = group.map(() => new D({ contentType: 'text/event-stream' }));
    for (let j = 0; j < group[0]!.length; j++) for (let k = 0; k < 64; k++) ds[k]!.push(Buffer.from(group[k]![j]!), j);
    for (const d of ds) {
      d.end(100);
      if (d.record.packets.length < 20) throw new Error('short stream decoded wrongly');
    }
    n += 64;
  }
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}

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
async function child(srcRoot: string, seconds: number, mode: string): Promise<void> {
  const mod = (await import(path.resolve(srcRoot, 'src/core/protocols/openai-chat.ts'))) as { OpenAiChatDecoder: DecoderClass };
  const canned = cannedStream(22);
  const bodies = mode === 'one' ? [Buffer.from(canned)] : perStreamIds(canned);
  if (bodies.length > 1 && bodies[0]!.equals(bodies[1]!)) throw new Error('the per-stream ids were not substituted');
  const round = mode === 'interleaved' ? interleavedRound : cpuRound;
  round(mod.OpenAiChatDecoder, bodies, Math.min(1, seconds));
  console.log(JSON.stringify(round(mod.OpenAiChatDecoder, bodies, seconds)));
}

function measure(srcRoot: string, seconds: number, mode: string): number {
  const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--one', srcRoot, String(seconds), mode], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`measuring ${srcRoot} failed: ${r.stderr}`);
  return Number(r.stdout.trim().split('\n').pop());
}

async function main(): Promise<void> {
  if (process.argv[2] === '--one') return child(process.argv[3]!, Number(process.argv[4]), process.argv[5]!);
  const oldDir = process.argv[2];
  if (!oldDir) throw new Error('usage: hot-path-decode.ts OLD_SRC_DIR [rounds] [seconds] [ids|interleaved]');
  const rounds = Number(process.argv[3] ?? 5);
  const seconds = Number(process.argv[4] ?? 1);
  const ids = process.argv[5] ?? 'one';
  if (!['one', 'ids', 'interleaved'].includes(ids)) throw new Error(`unknown mode ${ids}: ids or interleaved`);
  const newDir = path.resolve(__dirname, '..');
  const what = { one: "nginx's canned stream (one id)", ids: 'a new id per stream', interleaved: 'a new id per stream, 64 streams interleaved event by event' }[ids];
  console.log(`${what}, ${rounds} rounds of ${seconds} s each`);
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
