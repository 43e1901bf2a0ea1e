/**
 * One track's motion state and its per-frame prediction and update (constant velocity on the amodal
 * centroid). Partly hidden observations (occluded, cut by the frame edge) are completed to the track's
 * reference size from the trustworthy edge, so a shrinking visible sliver neither stalls the velocity
 * nor looks far from the prediction.
 */
import type { BBox, Segment, TrackState } from '../core/types.js';
import { amodalAxis, predictCentroid, predictEmbedding, shiftBox, updateVelocity } from './motion.js';

export interface Track {
  readonly id: number;
  readonly categoryId: number;
  readonly isThing: boolean;
  state: Exclude<TrackState, 'ended'>;
  hits: number;
  readonly birthT: number;
  lastSeenT: number;
  /** Segment id of the last match (for mask IoU with the previous frame). */
  lastSegmentId: number;
  /** Pixel area at the last match. */
  area: number;
  /** Motion state: the amodal centroid (corrected when the object was partly hidden). */
  centroid: [number, number];
  /** Pixels per frame. */
  velocity: [number, number];
  /** Amodal box: the visible box restored to the reference size when partly hidden. */
  bbox: BBox;
  /** Reference box size [w, h]: follows growth at once, shrinkage slowly (see SIZE_ADAPT). */
  size: [number, number];
  /** Reference mask area, px (same rule as `size`). */
  refArea: number;
  /** Centroid minus box centre at the last full view (offset of the mask's centre of mass). */
  offset: [number, number];
  /** Centroid of the last matched segment; `embedding` belongs to this point. */
  visCentroid: [number, number];
  embedding: Float32Array;
  // Per-frame predictions, overwritten by predictTrack().
  predCentroid: [number, number];
  /** Predicted box clipped to the frame (what should be visible). */
  predBox: BBox;
  predAmodal: BBox;
  /** Predicted embedding of the visible part / of the amodal centroid (equal unless clipped). */
  predEmbedding: Float32Array;
  predEmbeddingAmodal: Float32Array;
}

/**
 * Per-frame rate at which the reference size follows a shrinking box (growth is taken at once). Slow
 * enough that an occluder sliding over an object reads as partial occlusion, fast enough to follow an
 * object moving away (a few % per frame).
 */
const SIZE_ADAPT = 0.2;

export function createTrack(id: number, s: Segment, t: number, state: Track['state']): Track {
  const c: [number, number] = [s.centroid[0], s.centroid[1]];
  return {
    id,
    categoryId: s.categoryId,
    isThing: s.isThing,
    state,
    hits: 1,
    birthT: t,
    lastSeenT: t,
    lastSegmentId: s.id,
    area: s.area,
    centroid: c,
    velocity: [0, 0],
    bbox: [...s.bbox],
    size: [s.bbox[2], s.bbox[3]],
    refArea: s.area,
    offset: [c[0] - (s.bbox[0] + s.bbox[2] / 2), c[1] - (s.bbox[1] + s.bbox[3] / 2)],
    visCentroid: [c[0], c[1]],
    embedding: s.embedding,
    predCentroid: [c[0], c[1]],
    predBox: [...s.bbox],
    predAmodal: [...s.bbox],
    predEmbedding: new Float32Array(s.embedding.length),
    predEmbeddingAmodal: new Float32Array(s.embedding.length),
  };
}

/** Predicts the track forward to frame time `t`. `scratch` holds ≥ 2·embedding length values. */
export function predictTrack(tr: Track, t: number, width: number, height: number, scratch: Float32Array): void {
  tr.predCentroid = predictCentroid(tr.centroid, tr.velocity, t - tr.lastSeenT);
  tr.predAmodal = shiftBox(tr.bbox, tr.predCentroid[0] - tr.centroid[0], tr.predCentroid[1] - tr.centroid[1]);
  const [box, visible] = clipToFrame(tr.predAmodal, tr.predCentroid, width, height);
  tr.predBox = box;
  predictEmbedding(tr.embedding, tr.visCentroid, tr.predCentroid, width, height, tr.predEmbeddingAmodal, scratch);
  if (visible === tr.predCentroid) tr.predEmbedding.set(tr.predEmbeddingAmodal);
  else predictEmbedding(tr.embedding, tr.visCentroid, visible, width, height, tr.predEmbedding, scratch);
}

export interface Completion {
  box: BBox;
  centroid: [number, number];
  partialX: boolean;
  partialY: boolean;
  /** The mask is much smaller than the reference although the box may be whole (e.g. a strip visible below an occluder). */
  partialArea: boolean;
  partial: boolean;
}

/** Bits of {@link occludedEdges}. */
export const EDGE_LEFT = 1;
export const EDGE_RIGHT = 2;
export const EDGE_TOP = 4;
export const EDGE_BOTTOM = 8;

/**
 * Which edges of a segment's box touch another thing segment (a likely occluder): the line of pixels just
 * outside the edge, across the box, is more than 30 % other-thing pixels. `isThing[id]` flags thing ids.
 */
export function occludedEdges(ids: Int32Array, width: number, height: number, s: Segment, isThing: Uint8Array): number {
  const [x, y, w, h] = s.bbox;
  const probe = (x0: number, y0: number, dx: number, dy: number, n: number): boolean => {
    if (x0 < 0 || y0 < 0 || x0 + dx * (n - 1) >= width || y0 + dy * (n - 1) >= height) return false;
    let other = 0;
    for (let k = 0, px = x0, py = y0; k < n; k++, px += dx, py += dy) {
      const id = ids[py * width + px]!;
      if (id !== s.id && id > 0 && id < isThing.length && isThing[id]) other++;
    }
    return other > 0.3 * n;
  };
  let bits = 0;
  if (probe(x - 1, y, 0, 1, h)) bits |= EDGE_LEFT;
  if (probe(x + w, y, 0, 1, h)) bits |= EDGE_RIGHT;
  if (probe(x, y - 1, 1, 0, w)) bits |= EDGE_TOP;
  if (probe(x, y + h, 1, 0, w)) bits |= EDGE_BOTTOM;
  return bits;
}

/**
 * Completes a segment that is smaller than the track's reference size (per axis), from its trusted edge
 * (`occluded`: {@link occludedEdges} bits of the segment).
 */
export function complete(tr: Track, s: Segment, ratio: number, width: number, height: number, occluded = 0): Completion {
  const b = s.bbox;
  const p = tr.predAmodal;
  const [x, w, partialX] = amodalAxis(b[0], b[2], p[0], p[2], tr.size[0], ratio, width, (occluded & EDGE_LEFT) !== 0, (occluded & EDGE_RIGHT) !== 0);
  const [y, h, partialY] = amodalAxis(b[1], b[3], p[1], p[3], tr.size[1], ratio, height, (occluded & EDGE_TOP) !== 0, (occluded & EDGE_BOTTOM) !== 0);
  const partialArea = s.area < ratio * tr.refArea;
  if (!partialX && !partialY && !partialArea) return { box: b, centroid: s.centroid, partialX, partialY, partialArea, partial: false };
  // Partly hidden: the mask's centre of mass is biased toward the visible part, the (completed) box is
  // not; use box centre + the shape offset measured at the last full view.
  return {
    box: [x, y, w, h],
    centroid: [partialX || partialArea ? x + w / 2 + tr.offset[0] : s.centroid[0], partialY || partialArea ? y + h / 2 + tr.offset[1] : s.centroid[1]],
    partialX,
    partialY,
    partialArea,
    partial: true,
  };
}

/** Updates the track's motion state with a matched segment at frame time `t`. */
export function observeTrack(tr: Track, s: Segment, t: number, velocitySmoothing: number, partialSizeRatio: number, width: number, height: number, occluded = 0): void {
  const dt = Math.max(1, t - tr.lastSeenT);
  const { box, centroid, partialX, partialY, partialArea } = complete(tr, s, partialSizeRatio, width, height, occluded);
  const b = s.bbox;
  if (!partialX && !partialY && !partialArea) tr.refArea = s.area >= tr.refArea ? s.area : SIZE_ADAPT * s.area + (1 - SIZE_ADAPT) * tr.refArea;
  if (!partialX) {
    tr.size[0] = b[2] >= tr.size[0] ? b[2] : SIZE_ADAPT * b[2] + (1 - SIZE_ADAPT) * tr.size[0];
    if (!partialArea) tr.offset[0] = s.centroid[0] - (b[0] + b[2] / 2);
  }
  if (!partialY) {
    tr.size[1] = b[3] >= tr.size[1] ? b[3] : SIZE_ADAPT * b[3] + (1 - SIZE_ADAPT) * tr.size[1];
    if (!partialArea) tr.offset[1] = s.centroid[1] - (b[1] + b[3] / 2);
  }
  const observed: [number, number] = [(centroid[0] - tr.centroid[0]) / dt, (centroid[1] - tr.centroid[1]) / dt];
  tr.velocity = updateVelocity(tr.velocity, observed, velocitySmoothing, tr.hits === 1);
  tr.centroid = [centroid[0], centroid[1]];
  tr.bbox = [...box];
  tr.visCentroid = [s.centroid[0], s.centroid[1]];
  tr.embedding = s.embedding;
  tr.lastSeenT = t;
  tr.lastSegmentId = s.id;
  tr.area = s.area;
  tr.hits++;
}

/** Clips a predicted box to the frame; on a clipped axis the expected visible centroid is the clipped extent's centre. */
function clipToFrame(b: BBox, c: [number, number], width: number, height: number): [BBox, [number, number]] {
  const x0 = Math.max(0, b[0]);
  const y0 = Math.max(0, b[1]);
  const x1 = Math.min(width, b[0] + b[2]);
  const y1 = Math.min(height, b[1] + b[3]);
  const clipX = x0 !== b[0] || x1 !== b[0] + b[2];
  const clipY = y0 !== b[1] || y1 !== b[1] + b[3];
  if (!clipX && !clipY) return [b, c];
  const box: BBox = [x0, y0, Math.max(0, x1 - x0), Math.max(0, y1 - y0)];
  const cx = clipX ? Math.min(Math.max((x0 + x1) / 2, 0), width) : c[0];
  const cy = clipY ? Math.min(Math.max((y0 + y1) / 2, 0), height) : c[1];
  return [box, [cx, cy]];
}
