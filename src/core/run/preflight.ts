/** Before any load: can the target be reached at all? A run that cannot start says why, once. */
import net from 'node:net';

export class RunStartError extends Error {}

/** Opens and closes one TCP connection to the URL's host and port. */
export function checkReachable(url: string, timeout_ms = 3000): Promise<void> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return Promise.reject(new RunStartError(`the target "${url}" is not a URL; write it like http://127.0.0.1:8000/v1`));
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:' && u.protocol !== 'ws:' && u.protocol !== 'wss:') {
    return Promise.reject(new RunStartError(`the target "${url}" must be an http(s) or ws(s) URL`));
  }
  const secure = u.protocol === 'https:' || u.protocol === 'wss:';
  const port = Number(u.port || (secure ? 443 : 80));
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const fail = (why: string): void => {
      socket.destroy();
      reject(new RunStartError(`cannot reach the target ${u.origin}: ${why}. Is the server running, and is the URL right? (--target URL overrides the scenario's target)`));
    };
    socket.setTimeout(timeout_ms, () => fail(`no answer within ${timeout_ms} ms`));
    socket.once('connect', () => {
      socket.end();
      resolve();
    });
    socket.once('error', (e: NodeJS.ErrnoException) => fail(e.code === 'ECONNREFUSED' ? 'connection refused' : e.code === 'ENOTFOUND' ? 'host not found' : e.message));
  });
}
