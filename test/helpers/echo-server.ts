/**
 * A loopback OpenAI-chat server that echoes the request's credentials back: every second request
 * gets a 401 whose body quotes the Authorization and x-org headers; the others stream "You said: "
 * and then the bearer token a few characters per chunk (a model told to repeat its input), with the
 * token in every chunk's id as well.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EchoServer {
  url: string;
  /** The Authorization header of each request received. */
  auth: string[];
  close(): Promise<void>;
}

function chunk(id: string, content: string | null, finish: string | null = null): string {
  return `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', choices: [{ index: 0, delta: content === null ? {} : { content }, finish_reason: finish }] })}\n\n`;
}

export async function startEchoServer(): Promise<EchoServer> {
  let n = 0;
  const auth: string[] = [];
  const server = http.createServer((req, res) => {
    const authorization = req.headers.authorization ?? '';
    auth.push(authorization);
    req.resume();
    req.on('end', () => {
      if (n++ % 2 === 1) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${authorization} (org ${String(req.headers['x-org'])})`, type: 'invalid_request_error' } }));
        return;
      }
      const token = authorization.replace(/^Bearer /, '');
      const id = `chatcmpl-${token}`;
      const parts = ['You said: '];
      for (let k = 0; k < token.length; k += 3) parts.push(token.slice(k, k + 3));
      parts.push(' and ', String(req.headers['x-org']), '. Done.');
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk(id, ''));
      for (const p of parts) res.write(chunk(id, p));
      res.end(chunk(id, null, 'stop') + 'data: [DONE]\n\n');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    auth,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
