import http from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { RequestListener } from 'node:http';

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts an HTTP server on host:port and closes it, with open sockets, on demand. */
export function startServer(
  handler: RequestListener,
  host: string,
  port: number,
): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = http.createServer(handler);
    const sockets = new Set<Socket>();
    server.on('connection', socket => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      const urlHost =
        address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve({
        url: `http://${urlHost}:${address.port}`,
        port: address.port,
        close: () =>
          new Promise<void>(done => {
            server.close(() => done());
            for (const socket of sockets) {
              socket.destroy();
            }
          }),
      });
    });
  });
}
