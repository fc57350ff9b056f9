// Shared plumbing of the fakes: a node:http server on 127.0.0.1 with a JSON body reader.
// Loopback only; every fake listens on an ephemeral port.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  /** Date.now() when the request arrived. */
  at: number;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  raw: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export type Handler = (req: FakeRequest, res: ServerResponse) => void | Promise<void>;

export interface RunningServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function listen(handler: Handler): Promise<RunningServer> {
  const server = createServer((req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      let json: unknown;
      try {
        json = raw ? JSON.parse(raw) : undefined;
      } catch {
        json = undefined;
      }
      Promise.resolve(
        handler(
          { at, method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, headers: req.headers, raw, json },
          res,
        ),
      ).catch((e) => {
        if (!res.headersSent) sendJson(res, 500, { message: String(e) });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}
