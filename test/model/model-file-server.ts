/**
 * A real HTTP server on 127.0.0.1 serving a real model file for download tests, with fault modes:
 *   /file/NAME        the file, honouring `Range: bytes=N-` (206 + Content-Range)
 *   /drop-once/NAME   the first request sends full headers and half the body, then closes the socket;
 *                     later requests behave like /file
 *   /corrupt/NAME     the file with one byte flipped (same length)
 *   /redirect/NAME    302 → /file/NAME
 *   /hang/NAME        accepts the request and never answers
 *   anything else     404
 * Every request is logged (path + Range header) so tests can assert resume behaviour.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RequestLog {
  path: string;
  range?: string;
}

export class ModelFileServer {
  readonly log: RequestLog[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly dropped = new Set<string>();
  port = 0;

  constructor(private readonly files: Record<string, Buffer>) {
    this.server = createServer((req, res) => {
      const path = req.url ?? '/';
      this.log.push({ path, range: req.headers.range });
      const [, mode, name] = /^\/([a-z-]+)\/([^/]+)$/.exec(path) ?? [];
      const body = name ? this.files[name] : undefined;
      if (!body || !mode) return void res.writeHead(404, { 'content-length': 9 }).end('not found');
      switch (mode) {
        case 'file':
          return this.serve(res, body, req.headers.range);
        case 'corrupt': {
          const bad = Buffer.from(body);
          bad[bad.length >> 1] = bad[bad.length >> 1]! ^ 0xff;
          return this.serve(res, bad, req.headers.range);
        }
        case 'drop-once':
          if (this.dropped.has(name!)) return this.serve(res, body, req.headers.range);
          this.dropped.add(name!);
          res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' });
          res.write(body.subarray(0, body.length >> 1), () => setTimeout(() => req.socket.destroy(), 20));
          return;
        case 'redirect':
          return void res.writeHead(302, { location: `/file/${name}`, 'content-length': 0 }).end();
        case 'hang':
          return; // never answer
        default:
          return void res.writeHead(404, { 'content-length': 9 }).end('not found');
      }
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  private serve(res: ServerResponse, body: Buffer, range: string | undefined): void {
    const m = range ? /^bytes=(\d+)-$/.exec(range) : null;
    if (m) {
      const start = Number(m[1]);
      if (start >= body.length) return void res.writeHead(416, { 'content-range': `bytes */${body.length}`, 'content-length': 0 }).end();
      res.writeHead(206, { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}`, 'content-length': body.length - start });
      return void res.end(body.subarray(start));
    }
    res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' });
    res.end(body);
  }

  url(mode: string, name: string): string {
    return `http://127.0.0.1:${this.port}/${mode}/${name}`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A port on 127.0.0.1 with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
