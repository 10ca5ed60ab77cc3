/**
 * A loopback stand-in for llama.cpp's llama-server with one slot and --metrics, written from the
 * behaviour in /work/shared/notes/real-servers.md: role chunk with content null, one chunk per
 * token, a finish chunk, then `choices: []` with usage and `timings`, then [DONE]; the connection
 * closes after each response; requests wait for the free slot; /metrics in llamacpp: names.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** The stand-in's prompt processing time per request, and its time per output token. */
export const PROMPT_MS = 30;
const TOKEN_MS = 5;

export function llamaServer(): Promise<{ url: string; close(): Promise<void>; maxBusy: () => number }> {
  let busy = 0;
  let deferred = 0;
  let maxBusy = 0;
  let promptTokens = 0;
  let predicted = 0;
  const queue: (() => void)[] = [];
  const acquire = (): Promise<void> =>
    new Promise((resolve) => {
      if (busy === 0) {
        busy++;
        maxBusy = Math.max(maxBusy, busy);
        resolve();
      } else {
        deferred++;
        queue.push(() => {
          deferred--;
          busy++;
          maxBusy = Math.max(maxBusy, busy);
          resolve();
        });
      }
    });
  const releaseSlot = (): void => {
    busy--;
    queue.shift()?.();
  };
  const server = http.createServer(async (req, res) => {
    if (req.method === 'GET' && req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(
        `# HELP llamacpp:prompt_tokens_total Number of prompt tokens processed.\n# TYPE llamacpp:prompt_tokens_total counter\nllamacpp:prompt_tokens_total ${promptTokens}\n` +
          `# TYPE llamacpp:tokens_predicted_total counter\nllamacpp:tokens_predicted_total ${predicted}\n` +
          `# TYPE llamacpp:requests_processing gauge\nllamacpp:requests_processing ${busy}\n# TYPE llamacpp:requests_deferred gauge\nllamacpp:requests_deferred ${deferred}\n`,
      );
      return;
    }
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
      return;
    }
    for await (const _ of req);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'transfer-encoding': 'chunked', connection: 'close' });
    await acquire();
    const base = { id: 'chatcmpl-x', created: 1, model: 'tiny', system_fingerprint: 'b1', object: 'chat.completion.chunk' };
    const send = (o: object): boolean => res.write(`data: ${JSON.stringify({ ...base, ...o })}\n\n`);
    await new Promise((r) => setTimeout(r, PROMPT_MS));
    send({ choices: [{ index: 0, delta: { role: 'assistant', content: null }, finish_reason: null }] });
    const words = ['Paris', ' is', ' the', ' capital', '.'];
    for (const w of words) {
      send({ choices: [{ index: 0, delta: { content: w }, finish_reason: null }] });
      await new Promise((r) => setTimeout(r, TOKEN_MS));
    }
    send({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
    promptTokens += 12;
    predicted += words.length;
    send({
      choices: [],
      usage: { completion_tokens: 5, prompt_tokens: 20, total_tokens: 25, prompt_tokens_details: { cached_tokens: 8 } },
      timings: { cache_n: 8, prompt_n: 12, prompt_ms: PROMPT_MS, prompt_per_token_ms: 2.5, prompt_per_second: 400, predicted_n: 5, predicted_ms: 25.2, predicted_per_token_ms: 5.04, predicted_per_second: 198 },
    });
    res.end('data: [DONE]\n\n');
    releaseSlot();
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        url: `http://127.0.0.1:${port}`,
        maxBusy: () => maxBusy,
        close: () => {
          server.closeAllConnections();
          return new Promise((r) => server.close(() => r()));
        },
      });
    }),
  );
}

