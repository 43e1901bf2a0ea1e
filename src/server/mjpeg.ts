/**
 * `GET /api/cameras/:id/mjpeg[?view=MODE]`: annotated JPEGs as `multipart/x-mixed-replace`.
 * Newest-wins per response: while the socket needs draining (or an encode is running) only the
 * newest frame is kept; capped at `outputs.mjpegMaxFps`. Ends when the camera is removed.
 */
import type { ServerResponse } from 'node:http';
import type { Subscription } from 'rxjs';
import { createLogger } from '../core/logger.js';
import { errorMessage } from '../core/errors.js';
import type { ProcessedFrame, RenderMode } from '../streams/camera-pipeline.js';
import { parseView } from './api.js';
import type { ServerContext } from './context.js';
import { HttpError } from './respond.js';
import type { Router } from './router.js';

const log = createLogger('server:mjpeg');
const BOUNDARY = 'panopticframe';

interface Viewer {
  cameraId: string;
  res: ServerResponse;
  view?: RenderMode;
  pending?: ProcessedFrame;
  busy: boolean;
  lastAtMs: number;
  timer?: NodeJS.Timeout;
  subs: Subscription[];
}

export class MjpegTransport {
  private readonly viewers = new Set<Viewer>();

  constructor(private readonly ctx: ServerContext) {
    ctx.pipeline.on('removed', ({ id }) => {
      for (const v of this.viewers) if (v.cameraId === id) this.end(v);
    });
  }

  register(router: Router): void {
    router.add('GET', '/api/cameras/:id/mjpeg', ({ res, params, url }) => this.open(params.id!, res, parseView(url)), { auth: 'streams' });
  }

  private open(id: string, res: ServerResponse, view: RenderMode | undefined): void {
    const pipe = this.ctx.pipeline.get(id);
    if (!pipe) throw new HttpError(404, 'ERR_CAMERA_NOT_FOUND', `camera ${JSON.stringify(id)} not found`, { field: 'id' });
    res.writeHead(200, {
      'content-type': `multipart/x-mixed-replace; boundary=${BOUNDARY}`,
      'cache-control': 'no-store, no-cache, must-revalidate',
      pragma: 'no-cache',
      connection: 'close',
    });
    const v: Viewer = { cameraId: id, res, view, busy: false, lastAtMs: 0, subs: [] };
    this.viewers.add(v);
    v.subs.push(pipe.output$.subscribe({ next: (p) => this.offer(v, p), complete: () => this.end(v) }));
    res.on('close', () => this.forget(v));
    res.on('drain', () => this.flush(v));
    if (pipe.latest) this.offer(v, pipe.latest);
  }

  private offer(v: Viewer, p: ProcessedFrame): void {
    v.pending = p;
    this.flush(v);
  }

  private flush(v: Viewer): void {
    if (v.busy || !v.pending || v.timer || v.res.writableNeedDrain || v.res.destroyed) return;
    const wait = v.lastAtMs + 1000 / this.ctx.config.outputs.mjpegMaxFps - Date.now();
    if (wait > 0) {
      v.timer = setTimeout(() => {
        v.timer = undefined;
        this.flush(v);
      }, wait);
      return;
    }
    const p = v.pending;
    v.pending = undefined;
    v.busy = true;
    v.lastAtMs = Date.now();
    p.jpeg(v.view)
      .then((jpeg) => {
        if (v.res.destroyed || v.res.writableEnded) return;
        v.res.write(`--${BOUNDARY}\r\ncontent-type: image/jpeg\r\ncontent-length: ${jpeg.length}\r\nx-frame-seq: ${p.meta.seq}\r\n\r\n`);
        v.res.write(jpeg);
        v.res.write('\r\n');
      })
      .catch((err: unknown) => log.warn('frame encode failed', { camera: v.cameraId, error: errorMessage(err) }))
      .finally(() => {
        v.busy = false;
        this.flush(v);
      });
  }

  private end(v: Viewer): void {
    if (!v.res.writableEnded) v.res.end(`--${BOUNDARY}--\r\n`);
    this.forget(v);
  }

  private forget(v: Viewer): void {
    for (const s of v.subs) s.unsubscribe();
    clearTimeout(v.timer);
    v.pending = undefined;
    this.viewers.delete(v);
  }

  subscriberCounts(): Map<string, number> {
    const m = new Map<string, number>();
    for (const v of this.viewers) m.set(v.cameraId, (m.get(v.cameraId) ?? 0) + 1);
    return m;
  }

  async close(): Promise<void> {
    for (const v of [...this.viewers]) this.end(v);
  }
}
