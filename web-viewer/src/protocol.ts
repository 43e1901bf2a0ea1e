/**
 * Wire types the viewer speaks (REST bodies, camera status, WebSocket messages, segment JSON), and tolerant
 * readers for them. The server is the source of truth (docs/api.md, docs/segment-schema.json); everything the
 * viewer reads from the wire goes through the `read*` functions here, so a server-side rename is one edit.
 */
import type { CocoRle } from './rle.js';

/** Server-side render mode of annotated video. */
export type ViewMode = 'overlay' | 'raw' | 'depth' | 'side-by-side';
export const VIEW_MODES: readonly ViewMode[] = ['overlay', 'raw', 'depth', 'side-by-side'];

/**
 * Whether `POST /whep/:id?view=MODE` selects the render mode of a WebRTC session. The server supports it
 * (docs/api.md), so every mode plays over WebRTC; switching mode renegotiates a new WHEP session. With
 * `false`, modes other than overlay would play over WebSocket JPEG (or MJPEG), which take `view` per
 * subscription.
 */
export const WHEP_SUPPORTS_VIEW: boolean = true;

export type CameraState = 'starting' | 'streaming' | 'stalled' | 'reconnecting' | 'stopped' | 'failed' | string;

export interface CameraStatus {
  readonly id: string;
  readonly name: string;
  /** Source URL with credentials redacted by the server. */
  readonly url: string;
  readonly state: CameraState;
  readonly reason?: string;
  readonly fpsIn?: number;
  readonly fpsProcessed?: number;
  readonly dropped?: number;
  readonly reconnects?: number;
  readonly width?: number;
  readonly height?: number;
  readonly latencyMs?: number;
  readonly model?: string;
  readonly executionProvider?: string;
}

export interface ModelInfo {
  readonly name: string;
  readonly family?: string;
  readonly executionProvider?: string;
  readonly loaded?: boolean;
  readonly categories?: { id: number; name: string; isThing?: boolean }[];
}

export interface SegmentInfo {
  readonly id: number;
  readonly trackId?: number;
  readonly categoryId: number;
  readonly category: string;
  readonly isThing: boolean;
  readonly score: number;
  readonly area: number;
  /** [x, y, w, h] in image pixels. */
  readonly bbox: [number, number, number, number];
  readonly centroid?: [number, number];
  readonly depth?: { median: number; min?: number; max?: number };
  readonly mask?: CocoRle;
}

export interface TrackEventInfo {
  readonly type: 'started' | 'ended';
  readonly trackId: number;
  readonly category: string;
  readonly seq: number;
}

export interface SegmentsMessage {
  readonly cameraId: string;
  readonly seq: number;
  readonly ptsMs?: number;
  readonly capturedAtMs?: number;
  readonly latencyMs?: number;
  readonly width: number;
  readonly height: number;
  readonly segments: SegmentInfo[];
  readonly events: TrackEventInfo[];
}

/** Options of one WebSocket subscription. */
export interface SubscribeOptions {
  /** Include COCO RLE masks in segment JSON. */
  masks: boolean;
  /** Send annotated JPEG frames as binary messages. */
  frames: boolean;
  /** Upper bound on messages per second for this camera; undefined = as fast as processed. */
  maxRateFps?: number;
  /** Server-side render mode of the JPEG frames. */
  view?: ViewMode;
}

// ---- readers (wire → viewer types) -------------------------------------------------------------------------

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function readCamera(v: unknown): CameraStatus {
  const o = obj(v);
  const fps = obj(o.fps);
  const id = str(o.id) ?? '';
  return {
    id,
    name: str(o.name) ?? id,
    url: str(o.url) ?? '',
    state: str(o.state) ?? 'unknown',
    reason: str(o.reason) ?? str(o.error),
    fpsIn: num(fps.in) ?? num(o.fpsIn),
    fpsProcessed: num(fps.processed) ?? num(o.fpsProcessed),
    dropped: num(o.dropped) ?? num(fps.dropped) ?? num(o.framesDropped),
    reconnects: num(o.reconnects),
    width: num(o.width),
    height: num(o.height),
    latencyMs: num(o.latencyMs) ?? num(obj(o.latency).e2eMs),
    model: str(o.model),
    executionProvider: str(o.executionProvider),
  };
}

export function readCameraList(v: unknown): CameraStatus[] {
  const list = Array.isArray(v) ? v : Array.isArray(obj(v).cameras) ? (obj(v).cameras as unknown[]) : [];
  return list.map(readCamera).filter((c) => c.id !== '');
}

/** `GET /api/models` → `{active, models: [{name, family, loaded, executionProviders: {session: provider}}]}`. */
export function readModels(v: unknown): ModelInfo[] {
  const list = Array.isArray(v) ? v : Array.isArray(obj(v).models) ? (obj(v).models as unknown[]) : [];
  const active = str(obj(v).active);
  return list.map((m) => {
    const o = obj(m);
    const eps = Object.values(obj(o.executionProviders)).filter((e): e is string => typeof e === 'string');
    const name = str(o.name) ?? str(o.id) ?? '?';
    return {
      name,
      family: str(o.family),
      executionProvider: str(o.executionProvider) ?? (eps.length ? [...new Set(eps)].join(',') : undefined),
      loaded: typeof o.loaded === 'boolean' ? o.loaded : active !== undefined ? name === active : undefined,
      categories: Array.isArray(o.categories) ? (o.categories as ModelInfo['categories']) : undefined,
    };
  });
}

function readSegment(v: unknown): SegmentInfo {
  const o = obj(v);
  const cat = o.category;
  const categoryId = num(o.categoryId) ?? num(obj(cat).id) ?? -1;
  const bbox = Array.isArray(o.bbox) && o.bbox.length === 4 ? (o.bbox as [number, number, number, number]) : [0, 0, 0, 0] as [number, number, number, number];
  const depth = obj(o.depth);
  const mask = obj(o.mask ?? o.rle);
  return {
    id: num(o.id) ?? num(o.segmentId) ?? 0,
    trackId: num(o.trackId),
    categoryId,
    category: str(cat) ?? str(obj(cat).name) ?? str(o.categoryName) ?? `class ${categoryId}`,
    isThing: o.isThing === true,
    score: num(o.score) ?? 1,
    area: num(o.area) ?? 0,
    bbox,
    centroid: Array.isArray(o.centroid) ? (o.centroid as [number, number]) : undefined,
    depth: num(depth.median) !== undefined ? { median: num(depth.median)!, min: num(depth.min), max: num(depth.max) } : undefined,
    mask: Array.isArray(mask.size) && (typeof mask.counts === 'string' || Array.isArray(mask.counts)) ? (mask as unknown as CocoRle) : undefined,
  };
}

function readEvent(v: unknown): TrackEventInfo | undefined {
  const o = obj(v);
  const type = str(o.type);
  const trackId = num(o.trackId);
  if ((type !== 'started' && type !== 'ended') || trackId === undefined) return undefined;
  return { type, trackId, category: str(o.category) ?? str(obj(o.category).name) ?? `class ${num(o.categoryId) ?? '?'}`, seq: num(o.seq) ?? 0 };
}

/** Reads a segment JSON message; undefined when `v` is not one. */
export function readSegmentsMessage(v: unknown): SegmentsMessage | undefined {
  const o = obj(v);
  const cameraId = str(o.cameraId) ?? str(o.camera);
  if (!cameraId || !Array.isArray(o.segments)) return undefined;
  const image = obj(o.image);
  return {
    cameraId,
    seq: num(o.seq) ?? num(o.frameSeq) ?? 0,
    ptsMs: num(o.ptsMs),
    capturedAtMs: num(o.capturedAtMs),
    latencyMs: num(o.latencyMs) ?? num(o.processingLatencyMs),
    width: num(o.width) ?? num(image.width) ?? 0,
    height: num(o.height) ?? num(image.height) ?? 0,
    segments: o.segments.map(readSegment),
    events: (Array.isArray(o.events) ? o.events : []).map(readEvent).filter((e): e is TrackEventInfo => e !== undefined),
  };
}

/** A 400 body naming the bad field(s), normalised to field → message. */
export function readFieldErrors(v: unknown): { message: string; fields: Record<string, string> } {
  const o = obj(v);
  const err = obj(o.error);
  const fields: Record<string, string> = {};
  const add = (f: unknown, m: unknown): void => {
    const field = str(f);
    if (field) fields[field.replace(/^body\./, '')] = str(m) ?? 'invalid';
  };
  add(o.field ?? err.field, o.message ?? err.message ?? o.problem ?? err.problem);
  for (const list of [o.errors, err.errors, o.issues, err.issues]) {
    if (!Array.isArray(list)) continue;
    for (const e of list) {
      const eo = obj(e);
      add(eo.field ?? (Array.isArray(eo.path) ? eo.path.join('.') : eo.path), eo.message ?? eo.problem);
    }
  }
  const message = str(o.message) ?? str(err.message) ?? str(o.error) ?? 'request failed';
  return { message, fields };
}

/**
 * Reads a binary WebSocket message: an annotated JPEG of one camera. Layout (docs/api.md): a 4-byte big-endian
 * header length N, N bytes of UTF-8 JSON header `{cameraId, seq, view?}`, then the JPEG bytes.
 */
export function readBinaryFrame(buf: ArrayBuffer): { cameraId: string; seq: number; view?: ViewMode; jpeg: Blob } | undefined {
  if (buf.byteLength < 4) return undefined;
  const n = new DataView(buf).getUint32(0, false);
  if (n === 0 || 4 + n > buf.byteLength) return undefined;
  let header: Json;
  try {
    header = obj(JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, n))));
  } catch {
    return undefined;
  }
  const cameraId = str(header.cameraId) ?? str(header.camera);
  if (!cameraId) return undefined;
  const view = str(header.view) as ViewMode | undefined;
  return { cameraId, seq: num(header.seq) ?? 0, view, jpeg: new Blob([new Uint8Array(buf, 4 + n)], { type: 'image/jpeg' }) };
}
