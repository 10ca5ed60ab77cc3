/**
 * Micro-bench of the receive path on one thread, no other process involved, for iterating on the
 * decoder: (1) the OpenAI chat decoder alone over canned streams cut into socket-sized reads,
 * µs per event; (2) the protocol client against a loopback node:http server serving the canned
 * stream, completed requests/s at 64 in flight. Not part of `npm run bench`'s table.
 *   node --import tsx bench/decode-micro.ts [seconds]
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from '../src/core/protocols';
import { OpenAiChatDecoder } from '../src/core/protocols/openai-chat';
import { cannedStream } from './load-servers';

const SECONDS = Number(process.argv[2] ?? 3);

function decodeBench(name: string, events: number, readBytes: number): void {
  const body = Buffer.from(cannedStream(events));
  const reads: Buffer[] = [];
  for (let o = 0; o < body.length; o += readBytes) reads.push(body.subarray(o, o + readBytes));
  let n = 0;
  let packets = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < SECONDS * 1000) {
    const d = new OpenAiChatDecoder({ contentType: 'text/event-stream' });
    for (const r of reads) d.push(r, 1);
    d.end(2);
    packets += d.record.packets.length;
    n++;
  }
  const ms = performance.now() - t0;
  console.log(`decoder ${name}: ${((ms * 1000) / packets).toFixed(3)} µs/event, ${Math.round((packets / ms) * 1000)} events/s (${n} streams)`);
}

async function clientBench(name: string, events: number, inFlight: number): Promise<void> {
  const body = Buffer.from(cannedStream(events));
  const srv = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'content-length': body.length });
      res.end(body);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/v1`;
  const client = createClient({ api: 'openai-chat', model: 'bench', timeouts: { total_ms: 60_000 }, headers: {} }, url, { connections: inFlight });
  const prompt = { name: 'p', weight: 1, messages: [{ role: 'user' as const, content: 'Hello' }], params: {} };
  let done = 0;
  let packets = 0;
  let failed = 0;
  const end = performance.now() + SECONDS * 1000;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < end) {
        const r = await client.send(prompt);
        if (r.error) failed++;
        packets += r.packets.length;
        done++;
      }
    }),
  );
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await client.close();
  srv.close();
  console.log(`client ${name}: ${Math.round((done / ms) * 1000)} req/s, ${Math.round((packets / ms) * 1000)} packets/s, ${failed} failed, process CPU ${Math.round(((cpu.user + cpu.system) / 1000 / ms) * 100)}% (server in the same process)`);
}

async function main(): Promise<void> {
  decodeBench('short (22 events, 64 KB reads)', 22, 65536);
  decodeBench('long (2,000 events, 64 KB reads)', 2000, 65536);
  decodeBench('long (2,000 events, 1 KB reads)', 2000, 1024);
  const which = process.argv[3] ?? 'both';
  if (which !== 'decoder') {
    await clientBench('short', 22, 64);
    await clientBench('long', 2000, 64);
  }
}

void main();
