/** Synthetic tracked frames for stream-stage tests: rectangles painted into an id map, real segment stats. */
import type { Category, DepthKind, TrackedFrame, TrackedSegment, TrackEvent } from '../../src/core/types.js';
import { buildSegments } from '../../src/model/segments.js';

export interface RectSpec {
  id: number;
  categoryId: number;
  isThing: boolean;
  trackId: number;
  /** [x, y, w, h] in pixels, painted in order (later rects overwrite). */
  rect: [number, number, number, number];
  score?: number;
}

export const CATEGORIES: Category[] = [
  { id: 1, name: 'person', isThing: true, color: [220, 20, 60] },
  { id: 3, name: 'car', isThing: true, color: [0, 0, 142] },
  { id: 100, name: 'road', isThing: false, color: [128, 64, 128] },
  { id: 101, name: 'sky', isThing: false, color: [70, 130, 180] },
];

export function syntheticTracked(width: number, height: number, rects: RectSpec[], opts: { depth?: Float32Array; depthKind?: DepthKind; events?: TrackEvent[] } = {}): TrackedFrame {
  const ids = new Int32Array(width * height);
  for (const r of rects) {
    const [x0, y0, w, h] = r.rect;
    for (let y = Math.max(0, y0); y < Math.min(height, y0 + h); y++) for (let x = Math.max(0, x0); x < Math.min(width, x0 + w); x++) ids[y * width + x] = r.id;
  }
  const segs = buildSegments(ids, width, height, rects.map((r) => ({ id: r.id, categoryId: r.categoryId, isThing: r.isThing, score: r.score ?? 0.9 })), { depth: opts.depth });
  const segments: TrackedSegment[] = segs.map((s) => ({ ...s, trackId: rects.find((r) => r.id === s.id)!.trackId, state: 'confirmed', ageFrames: 5, velocity: [1.25, -0.5] }));
  return {
    width,
    height,
    ids,
    segments,
    events: opts.events ?? [],
    timings: { runMs: 12.345, trackMs: 0.5 },
    ...(opts.depth ? { depth: opts.depth, depthKind: opts.depthKind ?? 'metric' } : {}),
  };
}

export function solidImage(width: number, height: number, rgb: [number, number, number]): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(rgb, i * 3);
  return { width, height, data };
}
