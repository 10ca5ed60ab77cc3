/**
 * A raw TCP stand-in server (a primary that writes its own HTTP bytes) listening on loopback: every
 * connection is tracked, so close() cuts the open ones instead of waiting for them.
 */
import net from 'node:net';

export async function listenRaw(onSocket: (sock: net.Socket) => void): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    onSocket(sock);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
