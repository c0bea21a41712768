import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The whole request body as UTF-8 text. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A JSON answer, as the platform APIs give them. */
export function replyJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** A fake's HTTP server on a free loopback port (the OpenAI-compatible fakes: model, embeddings). */
export async function listenOnLoopback(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** The server's base URL with `path` (e.g. /v1), as a *_BASE_URL setting would be. */
export function loopbackUrl(server: Server | null, path: string, what: string): string {
  if (!server) throw new Error(`${what} not started`);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
}

/** Cuts open connections (held requests, keep-alive) and waits for the server to close. */
export async function closeServer(server: Server | null): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
