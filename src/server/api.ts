/** REST handlers: cameras CRUD at runtime, snapshots, models, health and readiness. */
import { z } from 'zod';
import { redactUrl } from '../core/redact.js';
import { CameraExistsError, type CameraSpec } from '../streams/pipeline.js';
import { CAMERA_ID, CameraPatchSchema, cameraFields, type CameraConfig } from './config.js';
import type { ServerContext } from './context.js';
import { HttpError, readBody, sendJson } from './respond.js';
import type { RequestContext, Router } from './router.js';

export const CameraCreateSchema = z.strictObject({ id: CAMERA_ID.optional(), ...cameraFields });

/** The public view of a camera: config (URL redacted), state with reason, stats, links. */
export function cameraStatus(ctx: ServerContext, id: string): Record<string, unknown> {
  const pipe = ctx.pipeline.get(id);
  const spec = ctx.pipeline.spec(id) as CameraConfig | undefined;
  if (!pipe || !spec) throw notFound(id);
  const s = pipe.stats();
  const latest = pipe.latest;
  const model = ctx.activeModel();
  const enc = encodeURIComponent(id);
  return {
    id,
    name: spec.name ?? id,
    url: redactUrl(spec.url),
    config: { ...spec, url: redactUrl(spec.url) },
    state: s.state,
    ...(s.reason ? { reason: s.reason } : {}),
    fps: { in: s.fpsIn, processed: s.fpsProcessed, dropped: s.fpsDropped },
    fpsIn: s.fpsIn,
    fpsProcessed: s.fpsProcessed,
    fpsDropped: s.fpsDropped,
    framesIn: s.framesIn,
    processed: s.processed,
    dropped: s.dropped,
    reconnects: s.reconnects,
    errors: s.errors,
    ...(s.lastError ? { lastError: s.lastError } : {}),
    ...(latest ? { width: latest.frame.width, height: latest.frame.height, seq: latest.meta.seq } : {}),
    ...(s.lastLatencyMs !== undefined ? { latencyMs: s.lastLatencyMs } : {}),
    model: model.name,
    ...(model.executionProviders ? { executionProvider: Object.values(model.executionProviders).join(',') } : {}),
    subscribers: Object.fromEntries([...ctx.metrics.subscriberCounts(id)]),
    links: { mjpeg: `/api/cameras/${enc}/mjpeg`, snapshot: `/api/cameras/${enc}/snapshot.jpg`, whep: `/whep/${enc}` },
  };
}

function notFound(id: string): HttpError {
  return new HttpError(404, 'ERR_CAMERA_NOT_FOUND', `camera ${JSON.stringify(id)} not found`, { field: 'id' });
}

/** A fresh id from the name (slug) or `cam-N`. */
function newId(ctx: ServerContext, name: string | undefined): string {
  const base = (name ?? 'cam').toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[-_]+|[-_]+$/g, '').slice(0, 48) || 'cam';
  if (name && !ctx.pipeline.get(base)) return base;
  for (let i = 1; ; i++) if (!ctx.pipeline.get(`${base}-${i}`)) return `${base}-${i}`;
}

export function registerApi(router: Router, ctx: ServerContext): void {
  const cameraOr404 = (c: RequestContext) => {
    const pipe = ctx.pipeline.get(c.params.id!);
    if (!pipe) throw notFound(c.params.id!);
    return pipe;
  };

  router.add('GET', '/healthz', ({ res }) => sendJson(res, 200, { status: 'ok' }));
  router.add('GET', '/readyz', ({ res }) => {
    const r = ctx.readiness();
    sendJson(res, r.ready ? 200 : 503, { ready: r.ready, ...(r.reason ? { reason: r.reason } : {}) });
  });
  router.add('GET', '/api/models', async ({ res }) => sendJson(res, 200, { active: ctx.activeModel().name, models: await ctx.models() }));

  router.add('GET', '/api/cameras', ({ res }) =>
    sendJson(res, 200, { cameras: ctx.pipeline.list().map(({ spec }) => cameraStatus(ctx, spec.id)) }),
  );
  router.add('POST', '/api/cameras', async ({ req, res }) => {
    const body = await readBody(req, CameraCreateSchema);
    ctx.validateCameraUrl(body.url, 'body.url');
    const id = body.id ?? newId(ctx, body.name);
    const spec: CameraConfig = { ...body, id };
    try {
      ctx.pipeline.addCamera(spec as CameraSpec & CameraConfig);
    } catch (err) {
      if (err instanceof CameraExistsError) throw new HttpError(409, err.code, err.message, { field: 'body.id' });
      throw err;
    }
    sendJson(res, 201, cameraStatus(ctx, id), { location: `/api/cameras/${encodeURIComponent(id)}` });
  });
  router.add('GET', '/api/cameras/:id', (c) => {
    cameraOr404(c);
    sendJson(c.res, 200, cameraStatus(ctx, c.params.id!));
  });
  router.add('PATCH', '/api/cameras/:id', async (c) => {
    cameraOr404(c);
    const patch = await readBody(c.req, CameraPatchSchema);
    if (patch.url !== undefined) ctx.validateCameraUrl(patch.url, 'body.url');
    const old = ctx.pipeline.spec(c.params.id!) as CameraConfig;
    const next = { ...old, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) } as CameraConfig;
    const sourceChanged = (Object.keys(patch) as (keyof typeof patch)[]).some((k) => k !== 'name' && patch[k] !== undefined && patch[k] !== old[k]);
    if (sourceChanged) await ctx.pipeline.replaceCamera(next as CameraSpec & CameraConfig);
    else Object.assign(old, next); // only the display name changed: no restart
    sendJson(c.res, 200, cameraStatus(ctx, c.params.id!));
  });
  router.add('DELETE', '/api/cameras/:id', async (c) => {
    const removed = await ctx.pipeline.removeCamera(c.params.id!);
    if (!removed) throw notFound(c.params.id!);
    c.res.writeHead(204).end();
  });
  router.add(
    'GET',
    '/api/cameras/:id/snapshot.jpg',
    async (c) => {
      const pipe = cameraOr404(c);
      const latest = pipe.latest;
      if (!latest) throw new HttpError(503, 'ERR_NO_FRAME', `camera ${JSON.stringify(c.params.id)} has no processed frame yet`, { state: pipe.state.state });
      const view = parseView(c.url);
      const jpeg = await latest.jpeg(view);
      c.res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': jpeg.length, 'cache-control': 'no-store', 'x-frame-seq': String(latest.meta.seq) });
      c.res.end(jpeg);
    },
    { auth: 'streams' },
  );
}

const VIEWS = ['overlay', 'raw', 'depth', 'side-by-side'] as const;
export type ViewParam = (typeof VIEWS)[number] | undefined;

/** `?view=` (or `?mode=`) → a render mode; unknown values are a 400 naming the parameter. */
export function parseView(url: URL): ViewParam {
  const v = url.searchParams.get('view') ?? url.searchParams.get('mode');
  if (v === null || v === '') return undefined;
  if (!(VIEWS as readonly string[]).includes(v)) throw new HttpError(400, 'ERR_VALIDATION', `invalid query.view ${JSON.stringify(v)}: expected one of ${VIEWS.join(', ')}`, { field: 'query.view' });
  return v as ViewParam;
}
