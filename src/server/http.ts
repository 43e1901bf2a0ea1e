/**
 * The HTTP server (node:http): REST API, MJPEG, WHEP, metrics, the static page, and the `/ws`
 * WebSocket upgrade. Auth: the bearer token guards mutating endpoints, and streams too when
 * `server.authStreams`. CORS per `server.cors.origins`. Every JSON body is credential-redacted.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createLogger } from '../core/logger.js';
import { Closeable } from '../core/lifecycle.js';
import { applyCors, hasToken } from './auth.js';
import { registerApi } from './api.js';
import type { ServerContext } from './context.js';
import { MjpegTransport } from './mjpeg.js';
import { sendError, sendJson } from './respond.js';
import { Router } from './router.js';
import { defaultViewerDist, StaticViewer } from './static-viewer.js';
import { VIEWER_PAGE } from './viewer-page.js';
import { WhepTransport } from './whep.js';
import { WsTransport } from './ws.js';

const log = createLogger('server:http');
let warnedNoViewer = false;

export interface PanopticServerOptions {
  /** Directory of the built web viewer served at `/` (default `<package root>/web-viewer/dist`). */
  viewerDist?: string;
}

export class PanopticServer extends Closeable {
  private readonly http: Server;
  private readonly router = new Router();
  readonly ws: WsTransport;
  readonly mjpeg: MjpegTransport;
  readonly whep: WhepTransport;
  private readonly sockets = new Set<Socket>();
  /** The built viewer, or undefined when web-viewer/dist is missing (then `/` is the minimal VIEWER_PAGE). */
  readonly viewer: StaticViewer | undefined;

  constructor(
    readonly ctx: ServerContext,
    opts: PanopticServerOptions = {},
  ) {
    super();
    const dist = opts.viewerDist ?? defaultViewerDist();
    this.viewer = StaticViewer.open(dist);
    if (!this.viewer && !warnedNoViewer) {
      warnedNoViewer = true;
      log.warn('web viewer not built: serving the minimal page at /; run `npm run build` (or `npm run build -w web-viewer`) to build it', { dist });
    }
    this.ws = new WsTransport(ctx, { maxBufferedBytes: ctx.config.outputs.wsMaxBufferedKiB * 1024, heartbeatMs: ctx.config.outputs.wsPingIntervalMs });
    this.mjpeg = new MjpegTransport(ctx);
    this.whep = new WhepTransport(ctx);
    ctx.metrics.addSubscriberSource('ws', () => this.ws.subscriberCounts());
    ctx.metrics.addSubscriberSource('mjpeg', () => this.mjpeg.subscriberCounts());
    ctx.metrics.addSubscriberSource('whep', () => this.whep.subscriberCounts());
    registerApi(this.router, ctx);
    this.mjpeg.register(this.router);
    this.whep.register(this.router);
    this.router.add('GET', '/metrics', ({ res }) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' });
      res.end(ctx.metrics.registry.render());
    }, { auth: 'streams' });
    this.http = createServer((req, res) => void this.handle(req, res));
    this.http.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    this.http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== '/ws') {
        socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
        return;
      }
      if (this.needsToken('streams') && !hasToken(req, url, ctx.config.server.token!, true)) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\nwww-authenticate: Bearer\r\n\r\n');
        return;
      }
      this.ws.handleUpgrade(req, socket, head);
    });
  }

  private needsToken(auth: 'always' | 'streams' | 'never' | undefined): boolean {
    const { token, authStreams } = this.ctx.config.server;
    if (!token) return false;
    return auth === 'always' || (auth === 'streams' && authStreams);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = req.method ?? 'GET';
      if (!applyCors(req, res, this.ctx.config.server.cors.origins) && method === 'OPTIONS') {
        sendJson(res, 403, { error: { code: 'ERR_CORS', message: 'origin not allowed' } });
        return;
      }
      if (method === 'OPTIONS') {
        res.writeHead(204).end();
        return;
      }
      const m = this.router.match(method, url.pathname);
      if (m.kind === 'none') {
        if ((method === 'GET' || method === 'HEAD') && this.serveViewer(req, res, url)) return;
        sendJson(res, 404, { error: { code: 'ERR_NOT_FOUND', message: `no route for ${method} ${url.pathname}` } });
        return;
      }
      if (m.kind === 'method') {
        sendJson(res, 405, { error: { code: 'ERR_METHOD', message: `${method} not allowed on ${url.pathname}` } }, { allow: m.allow.join(', ') });
        return;
      }
      const auth = m.opts.auth ?? (method === 'GET' || method === 'HEAD' ? 'never' : 'always');
      if (this.needsToken(auth) && !hasToken(req, url, this.ctx.config.server.token!, auth === 'streams')) {
        sendJson(res, 401, { error: { code: 'ERR_UNAUTHORIZED', message: 'missing or wrong bearer token' } }, { 'www-authenticate': 'Bearer' });
        return;
      }
      await m.handler({ req, res, url, params: m.params });
    } catch (err) {
      log.debug('request failed', { url: req.url, error: err instanceof Error ? err.message : String(err) });
      sendError(res, err);
    }
  }

  /** The built viewer's files (or the minimal page at `/` without a build); false when `url` is none of them. */
  private serveViewer(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    if (url.pathname.startsWith('/api/') || url.pathname === '/api') return false;
    if (this.viewer) return this.viewer.serve(req, res, req.url ?? '/');
    if (url.pathname !== '/') return false;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
    res.end(VIEWER_PAGE);
    return true;
  }

  /** Starts listening; resolves with the bound address and the viewer URL. */
  async listen(): Promise<{ host: string; port: number; url: string }> {
    this.assertOpen();
    const { host, port } = this.ctx.config.server;
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    const addr = this.http.address() as AddressInfo;
    const shown = addr.address.includes(':') ? `[${addr.address}]` : addr.address;
    return { host: addr.address, port: addr.port, url: `http://${shown === '0.0.0.0' ? '127.0.0.1' : shown}:${addr.port}/` };
  }

  /** Closes transports (WS clients, MJPEG responses, WebRTC peers) and the listener. */
  protected async onClose(): Promise<void> {
    await Promise.all([this.ws.close(), this.mjpeg.close(), this.whep.close()]);
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}
