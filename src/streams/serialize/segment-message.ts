/**
 * Per-frame segment JSON (schema `docs/segment-schema.json`, version {@link SEGMENT_SCHEMA_VERSION}):
 * what WebSocket subscribers and `run --json` NDJSON receive. Plain JSON only: numbers rounded to keep
 * messages small, masks optional as COCO compressed RLE.
 */
import { ConfigError } from '../../core/errors.js';
import type { Category, DepthKind, StageTimings, TrackedFrame, TrackState } from '../../core/types.js';
import { segmentRle, type CocoRle } from './rle.js';

/** Bumped on any change of the message shape: minor for additive fields, major for breaking ones. */
export const SEGMENT_SCHEMA_VERSION = '1.0';

export interface SegmentJson {
  /** Segment id in this frame (value of its pixels in the id map); not stable across frames. */
  segmentId: number;
  /** Stable across frames for the same object (things) or class (stuff). */
  trackId: number;
  trackState: TrackState;
  ageFrames: number;
  categoryId: number;
  category: string;
  isThing: boolean;
  score: number;
  area: number;
  /** [x, y, width, height] in pixels. */
  bbox: [number, number, number, number];
  /** [x, y] centre of mass in pixels. */
  centroid: [number, number];
  /** Pixels per frame. */
  velocity: [number, number];
  depth?: { median: number; min: number; max: number };
  mask?: CocoRle;
}

export interface TrackEventJson {
  type: 'started' | 'ended';
  trackId: number;
  categoryId: number;
  category: string;
  seq: number;
  ageFrames: number;
}

export interface SegmentMessage {
  version: typeof SEGMENT_SCHEMA_VERSION;
  type: 'segments';
  cameraId: string;
  seq: number;
  ptsMs: number;
  /** Wall clock (ms since epoch) when the frame was read from the decoder. */
  capturedAtMs: number;
  /** Wall clock (ms since epoch) when this message was built. */
  processedAtMs: number;
  /** processedAtMs − capturedAtMs. */
  latencyMs: number;
  width: number;
  height: number;
  model: string;
  depthKind?: DepthKind;
  timings?: StageTimings;
  segments: SegmentJson[];
  events: TrackEventJson[];
}

export interface SegmentMessageMeta {
  /** Model (bundle) name. */
  model: string;
  /** Category table of the model, for names. Unknown ids are named `class <id>`. */
  categories: readonly Category[] | ReadonlyMap<number, Category>;
  /** Defaults to `tracked.frame.cameraId`; required when the frame carries none. */
  cameraId?: string;
  /** Defaults to `tracked.frame.seq`. */
  seq?: number;
  /** Defaults to `tracked.frame.ptsMs`. */
  ptsMs?: number;
  /** Defaults to `tracked.frame.capturedAtMs`. */
  capturedAtMs?: number;
  /** Defaults to Date.now(). */
  processedAtMs?: number;
}

export interface SegmentMessageOptions {
  /** Include each segment's mask as COCO compressed RLE. Default false. */
  masks?: boolean;
  /** Include per-stage timings. Default true. */
  timings?: boolean;
}

const round = (v: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

function required(name: string, v: number | string | undefined): number | string {
  if (v === undefined || (typeof v === 'number' && !Number.isFinite(v))) throw new ConfigError(`meta.${name}`, v, 'missing: pass it in meta or set tracked.frame');
  return v;
}

/** Builds the JSON message of one tracked frame. Throws {@link ConfigError} naming a missing meta field. */
export function toSegmentMessage(tracked: TrackedFrame, meta: SegmentMessageMeta, options: SegmentMessageOptions = {}): SegmentMessage {
  const f = tracked.frame;
  const cameraId = required('cameraId', meta.cameraId ?? f?.cameraId) as string;
  const seq = required('seq', meta.seq ?? f?.seq) as number;
  const ptsMs = required('ptsMs', meta.ptsMs ?? f?.ptsMs) as number;
  const capturedAtMs = required('capturedAtMs', meta.capturedAtMs ?? f?.capturedAtMs) as number;
  const processedAtMs = meta.processedAtMs ?? Date.now();
  const cats = meta.categories instanceof Map ? meta.categories : new Map((meta.categories as readonly Category[]).map((c) => [c.id, c]));
  const nameOf = (id: number): string => cats.get(id)?.name ?? `class ${id}`;
  const { width, height, ids } = tracked;

  const segments: SegmentJson[] = tracked.segments.map((s) => {
    const out: SegmentJson = {
      segmentId: s.id,
      trackId: s.trackId,
      trackState: s.state,
      ageFrames: s.ageFrames,
      categoryId: s.categoryId,
      category: nameOf(s.categoryId),
      isThing: s.isThing,
      score: round(s.score, 3),
      area: s.area,
      bbox: [s.bbox[0], s.bbox[1], s.bbox[2], s.bbox[3]],
      centroid: [round(s.centroid[0], 1), round(s.centroid[1], 1)],
      velocity: [round(s.velocity[0], 2), round(s.velocity[1], 2)],
    };
    if (s.depth && Number.isFinite(s.depth.median)) out.depth = { median: round(s.depth.median, 3), min: round(s.depth.min, 3), max: round(s.depth.max, 3) };
    if (options.masks) out.mask = segmentRle(ids, width, height, s.id, s.bbox);
    return out;
  });
  const events: TrackEventJson[] = tracked.events.map((e) => ({
    type: e.type,
    trackId: e.trackId,
    categoryId: e.categoryId,
    category: nameOf(e.categoryId),
    seq: e.seq,
    ageFrames: e.ageFrames,
  }));
  const msg: SegmentMessage = {
    version: SEGMENT_SCHEMA_VERSION,
    type: 'segments',
    cameraId,
    seq,
    ptsMs: round(ptsMs, 3),
    capturedAtMs,
    processedAtMs,
    latencyMs: round(processedAtMs - capturedAtMs, 1),
    width,
    height,
    model: meta.model,
    segments,
    events,
  };
  if (tracked.depthKind) msg.depthKind = tracked.depthKind;
  if (options.timings !== false) {
    const t: StageTimings = {};
    for (const [k, v] of Object.entries(tracked.timings) as [keyof StageTimings, number | undefined][]) if (v !== undefined && Number.isFinite(v)) t[k] = round(v, 2);
    msg.timings = t;
  }
  return msg;
}
