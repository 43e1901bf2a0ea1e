/**
 * Builds web-viewer/dist with Vite and serves it for the e2e test. When the panoptic-stream server serves the
 * built viewer at `/` itself, its own origin is used; until it does, a small same-origin front serves dist and
 * forwards everything else (REST, `/whep`, the `/ws` upgrade) to the real server unchanged — the same layout
 * as the Vite dev proxy (web-viewer/vite.config.ts).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, request, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { build } from 'vite';
import { repoRoot } from '../helpers/fixtures.js';

const viewerRoot = join(repoRoot, 'web-viewer');
const dist = join(viewerRoot, 'dist');
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png' };

export interface ViewerSite {
  /** URL of the viewer page (ends with `/`). */
  readonly url: string;
  /** 'server' when the panoptic-stream server serves the viewer, 'front' otherwise. */
  readonly servedBy: 'server' | 'front';
  close(): Promise<void>;
}

/** `vite build` of the viewer into web-viewer/dist (about a second). */
export async function buildViewer(): Promise<void> {
  await build({ root: viewerRoot, configFile: join(viewerRoot, 'vite.config.ts'), logLevel: 'warn' });
}

/** The built viewer's page is recognisable by its module script under ./assets/. */
async function serverServesViewer(base: string): Promise<boolean> {
  const res = await fetch(`${base}/`);
  const html = await res.text();
  return res.ok && /<script type="module"[^>]*src="\.\/assets\/index-[^"]+\.js"/.test(html);
}

function distFile(pathname: string): string | undefined {
  const rel = normalize(pathname === '/' ? '/index.html' : pathname);
  if (rel.includes('..') || !(rel === '/index.html' || rel.startsWith('/assets/'))) return undefined;
  const file = join(dist, rel);
  return existsSync(file) && statSync(file).isFile() ? file : undefined;
}

export async function serveViewer(serverBase: string): Promise<ViewerSite> {
  if (await serverServesViewer(serverBase)) return { url: `${serverBase}/`, servedBy: 'server', close: async () => undefined };
  const upstream = new URL(serverBase);
  const port = Number(upstream.port);
  const sockets = new Set<Socket>();
  const front = createServer((req, res) => {
    const file = distFile(new URL(req.url ?? '/', 'http://x').pathname);
    if (file && req.method === 'GET') {
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      createReadStream(file).pipe(res);
      return;
    }
    const up = request({ host: upstream.hostname, port, path: req.url, method: req.method, headers: req.headers }, (r: IncomingMessage) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    res.on('close', () => up.destroy());
    req.pipe(up);
  });
  front.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  // WebSocket upgrade: replay the request line and headers upstream, then splice the two sockets.
  front.on('upgrade', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const up = connect(port, upstream.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      up.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    sockets.add(up);
    up.once('close', () => {
      sockets.delete(up);
      client.destroy();
    });
    up.on('error', () => client.destroy());
    client.on('error', () => up.destroy());
    client.once('close', () => up.destroy());
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const addr = front.address() as { port: number };
  return {
    url: `http://127.0.0.1:${addr.port}/`,
    servedBy: 'front',
    close: () =>
      new Promise<void>((resolve) => {
        front.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
