/**
 * Synthetic video panoptic sequences with known ground-truth tracks, rendered on integer grids:
 * rectangles/discs of thing classes move along scripted paths over a stuff background, painted in
 * z order (so they occlude each other), optionally with segmentation noise in the "prediction":
 * centroid jitter, missed detections, false positives. Ground truth is `class·1000 + gtId`; the
 * prediction is a `PanopticFrame` whose segment ids are shuffled every frame (no identity leaks).
 */
import type { PanopticFrame } from '../../src/core/types.js';
import { buildSegments, type SegmentInfo } from '../../src/model/segments.js';

export const LABEL_DIVISOR = 1000;
export const STUFF_CLASS = 0;

export interface SynthObject {
  /** Ground-truth track id (≥ 1). */
  gtId: number;
  categoryId: number;
  shape: 'rect' | 'disc';
  /** Size in pixels (disc: w is the diameter). */
  w: number;
  h: number;
  /** Higher z is painted on top. */
  z: number;
  /** Centre at frame t, or null when the object is absent. */
  path: (t: number) => [number, number] | null;
}

export interface SynthNoise {
  /** Standard deviation of the predicted mask's displacement per axis, pixels. */
  jitterPx?: number;
  /** Probability that a visible object is missing from the prediction in a frame. */
  missProb?: number;
  /** Expected number of false-positive blobs per frame (Bernoulli per slot, up to 2). */
  falsePositives?: number;
  /** Frames at which a given gtId is dropped from the prediction: `{ gtId: [t, …] }`. */
  drop?: Record<number, number[]>;
  seed?: number;
}

export interface SynthFrame {
  gt: Int32Array;
  panoptic: PanopticFrame;
  /** Segment id in `panoptic` → gtId (0 for stuff and false positives). */
  segmentToGt: Map<number, number>;
}

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
}

function paint(map: Int32Array, width: number, height: number, shape: 'rect' | 'disc', cx: number, cy: number, w: number, h: number, value: number): void {
  const x0 = Math.max(0, Math.floor(cx - w / 2));
  const x1 = Math.min(width, Math.ceil(cx + w / 2));
  const y0 = Math.max(0, Math.floor(cy - h / 2));
  const y1 = Math.min(height, Math.ceil(cy + h / 2));
  const r2 = (w / 2) * (w / 2);
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      if (shape === 'disc') {
        const dx = x + 0.5 - cx;
        const dy = y + 0.5 - cy;
        if (dx * dx + dy * dy > r2) continue;
      }
      map[y * width + x] = value;
    }
  }
}

export function* synthesize(width: number, height: number, frames: number, objects: SynthObject[], noise: SynthNoise = {}): Generator<SynthFrame> {
  const r = rng(noise.seed ?? 1);
  const order = [...objects].sort((a, b) => a.z - b.z);
  const gt = new Int32Array(width * height);
  for (let t = 0; t < frames; t++) {
    gt.fill(STUFF_CLASS * LABEL_DIVISOR);
    const ids = new Int32Array(width * height);
    // Shuffled segment ids: 1 is stuff's, things get a random permutation of 2…n+1.
    const perm = order.map((_, i) => i + 2);
    for (let i = perm.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [perm[i], perm[j]] = [perm[j]!, perm[i]!];
    }
    ids.fill(1);
    const infos: SegmentInfo[] = [{ id: 1, categoryId: STUFF_CLASS, isThing: false }];
    const segmentToGt = new Map<number, number>([[1, 0]]);
    order.forEach((o, i) => {
      const c = o.path(t);
      if (!c) return;
      paint(gt, width, height, o.shape, c[0], c[1], o.w, o.h, o.categoryId * LABEL_DIVISOR + o.gtId);
      const dropped = noise.drop?.[o.gtId]?.includes(t) ?? false;
      const missed = noise.missProb ? r() < noise.missProb : false;
      if (dropped || missed) return;
      const j = noise.jitterPx ?? 0;
      const jx = j ? gauss(r) * j : 0;
      const jy = j ? gauss(r) * j : 0;
      paint(ids, width, height, o.shape, c[0] + jx, c[1] + jy, o.w, o.h, perm[i]!);
      infos.push({ id: perm[i]!, categoryId: o.categoryId, isThing: true });
      segmentToGt.set(perm[i]!, o.gtId);
    });
    // Painting the prediction in z order means a later object's pixels overwrite an earlier one's.
    for (let k = 0; k < 2 && noise.falsePositives; k++) {
      if (r() >= noise.falsePositives / 2) continue;
      const id = 100 + k;
      const cat = objects[Math.floor(r() * objects.length)]!.categoryId;
      paint(ids, width, height, 'rect', 10 + r() * (width - 20), 10 + r() * (height - 20), 6 + r() * 8, 6 + r() * 8, id);
      infos.push({ id, categoryId: cat, isThing: true });
      segmentToGt.set(id, 0);
    }
    const segments = buildSegments(ids, width, height, infos);
    const panoptic: PanopticFrame = {
      frame: { cameraId: 'synthetic', seq: t, ptsMs: t * 100, capturedAtMs: 0, width, height, format: 'rgb24', data: new Uint8Array(0) },
      width,
      height,
      ids,
      segments,
      timings: {},
    };
    yield { gt: gt.slice(), panoptic, segmentToGt };
  }
}

/** Straight-line path from a to b over frames [t0, t1]; absent outside (or clamped when `stay`). */
export function linear(a: [number, number], b: [number, number], t0: number, t1: number): (t: number) => [number, number] | null {
  return (t) => {
    if (t < t0 || t > t1) return null;
    const f = t1 === t0 ? 0 : (t - t0) / (t1 - t0);
    return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f];
  };
}
