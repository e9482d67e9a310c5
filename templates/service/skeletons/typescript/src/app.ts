import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface Health {
  status: 'ok';
  service: string;
}

export function health(service: string): Health {
  return { status: 'ok', service };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export function handle(service: string) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method === 'GET' && req.url === '/healthz') {
      send(res, 200, health(service));
      return;
    }
    send(res, 404, { error: 'not found' });
  };
}

export function createApp(service: string): Server {
  return createServer(handle(service));
}
