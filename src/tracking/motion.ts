/**
 * Constant-velocity motion model on segment centroids, and its effect on the spectral embedding:
 * the predicted embedding is the last embedding shifted by γ(predicted centroid) − γ(last centroid).
 * For γ-of-centroid embeddings this is exactly γ(predicted centroid); for a model's own mean predicted
 * PE (generalist-pe) it keeps the model's per-object offset from γ(centroid) while moving it.
 */
import type { BBox } from '../core/types.js';
import { gamma1d, normCoord } from '../model/pe.js';

/** Centroid after `dtFrames` frames at velocity `v` (px/frame). */
export function predictCentroid(c: readonly [number, number], v: readonly [number, number], dtFrames: number): [number, number] {
  return [c[0] + v[0] * dtFrames, c[1] + v[1] * dtFrames];
}

/** Box translated by the centroid displacement. */
export function shiftBox(b: BBox, dx: number, dy: number): BBox {
  return [b[0] + dx, b[1] + dy, b[2], b[3]];
}

/**
 * Writes the predicted embedding into `out`: `last + γ(to) − γ(from)` (pixel centroids in a
 * width×height frame). `last.length` must be 4·L; other layouts are copied unchanged (no motion).
 * `scratch` must hold 2·last.length values.
 */
export function predictEmbedding(
  last: Float32Array,
  from: readonly [number, number],
  to: readonly [number, number],
  width: number,
  height: number,
  out: Float32Array,
  scratch: Float32Array,
): void {
  const n = last.length;
  if (n % 4 !== 0 || (from[0] === to[0] && from[1] === to[1])) {
    out.set(last);
    return;
  }
  const a = scratch.subarray(0, n);
  gammaPoint(from, width, height, a);
  shiftEmbedding(last, from, a, to, width, height, out, scratch.subarray(n, 2 * n));
}

/** γ(u)⊕γ(v) of a pixel point into `out` (length 4·L), the layout of {@link predictEmbedding}. */
export function gammaPoint(p: readonly [number, number], width: number, height: number, out: Float32Array): void {
  const harmonics = out.length / 4;
  gamma1d(normCoord(p[0], width), harmonics, out, 0);
  gamma1d(normCoord(p[1], height), harmonics, out, 2 * harmonics);
}

/**
 * {@link predictEmbedding} with γ(from) given (`gFrom`, from {@link gammaPoint}): the same values, bit for
 * bit, but γ(to) is evaluated only on the axes where `to` differs from `from` (the other half is γ(from)'s).
 * `scratch` must hold last.length values.
 */
export function shiftEmbedding(
  last: Float32Array,
  from: readonly [number, number],
  gFrom: Float32Array,
  to: readonly [number, number],
  width: number,
  height: number,
  out: Float32Array,
  scratch: Float32Array,
): void {
  const n = last.length;
  if (n % 4 !== 0 || (from[0] === to[0] && from[1] === to[1])) {
    out.set(last);
    return;
  }
  const half = n / 2;
  const b = scratch;
  if (to[0] === from[0]) for (let i = 0; i < half; i++) b[i] = gFrom[i]!;
  else gamma1d(normCoord(to[0], width), n / 4, b, 0);
  if (to[1] === from[1]) for (let i = half; i < n; i++) b[i] = gFrom[i]!;
  else gamma1d(normCoord(to[1], height), n / 4, b, half);
  for (let i = 0; i < n; i++) out[i] = last[i]! + b[i]! - gFrom[i]!;
}

/** Intersection over union of two [x, y, w, h] boxes (pixel extents; 0 when either is empty). */
export function boxIoU(a: BBox, b: BBox): number {
  const ix = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const iy = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  if (ix <= 0 || iy <= 0) return 0;
  const inter = ix * iy;
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  return union > 0 ? inter / union : 0;
}

/** Exponentially smoothed velocity update; the first observation is taken as is. */
export function updateVelocity(
  v: [number, number],
  observed: readonly [number, number],
  alpha: number,
  first: boolean,
): [number, number] {
  if (first) return [observed[0], observed[1]];
  return [alpha * observed[0] + (1 - alpha) * v[0], alpha * observed[1] + (1 - alpha) * v[1]];
}

/**
 * Amodal completion of one box axis. When the observed extent is shorter than `ratio`·`refLen`, the
 * object is taken to be partly hidden (occluded or cut by the frame edge) on one side. An edge on the
 * frame border (0 or `frameLen`) or flagged as touching an occluder is not trusted; if exactly one edge
 * is trusted the extent is restored to `refLen` from it, otherwise from the edge closer to the predicted
 * (amodal) box. Returns [start, length, partial].
 */
export function amodalAxis(
  obsStart: number,
  obsLen: number,
  predStart: number,
  predLen: number,
  refLen: number,
  ratio: number,
  frameLen: number,
  startOccluded = false,
  endOccluded = false,
): [number, number, boolean] {
  if (!(obsLen < ratio * refLen)) return [obsStart, obsLen, false];
  return [anchoredStart(obsStart, obsLen, predStart, predLen, refLen, frameLen, startOccluded, endOccluded), refLen, true];
}

/** Start of the restored extent of a partly hidden axis ({@link amodalAxis}, which decides that it is partial). */
export function anchoredStart(
  obsStart: number,
  obsLen: number,
  predStart: number,
  predLen: number,
  refLen: number,
  frameLen: number,
  startOccluded: boolean,
  endOccluded: boolean,
): number {
  const obsEnd = obsStart + obsLen;
  const startBad = startOccluded || obsStart <= 0;
  const endBad = endOccluded || obsEnd >= frameLen;
  let anchorStart: boolean;
  if (startBad !== endBad) anchorStart = endBad;
  else anchorStart = Math.abs(obsStart - predStart) <= Math.abs(obsEnd - (predStart + predLen));
  return anchorStart ? obsStart : obsEnd - refLen;
}
