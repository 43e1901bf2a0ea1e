/**
 * One track's motion state and its per-frame prediction and update (constant velocity on the amodal
 * centroid). Partly hidden observations (occluded, cut by the frame edge) are completed to the track's
 * reference size from the trustworthy edge, so a shrinking visible sliver neither stalls the velocity
 * nor looks far from the prediction.
 */
import type { BBox, Segment, TrackState } from '../core/types.js';
import { anchoredStart, gammaPoint, predictCentroid, shiftBox, shiftEmbedding, updateVelocity } from './motion.js';

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
  /** γ(visCentroid) (see gammaPoint), valid when `gVisValid`; recomputed lazily after each match. */
  gVis: Float32Array;
  gVisValid: boolean;
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
    gVis: new Float32Array(s.embedding.length),
    gVisValid: false,
    predCentroid: [c[0], c[1]],
    predBox: [...s.bbox],
    predAmodal: [...s.bbox],
    predEmbedding: new Float32Array(s.embedding.length),
    predEmbeddingAmodal: new Float32Array(s.embedding.length),
  };
}

/**
 * Predicts the track forward to frame time `t`. `scratch` holds ≥ embedding length values. γ of the last
 * visible centroid is cached on the track (a track never outlives a resolution change: the tracker ends them).
 */
export function predictTrack(tr: Track, t: number, width: number, height: number, scratch: Float32Array): void {
  tr.predCentroid = predictCentroid(tr.centroid, tr.velocity, t - tr.lastSeenT);
  tr.predAmodal = shiftBox(tr.bbox, tr.predCentroid[0] - tr.centroid[0], tr.predCentroid[1] - tr.centroid[1]);
  const [box, visible] = clipToFrame(tr.predAmodal, tr.predCentroid, width, height);
  tr.predBox = box;
  if (!tr.gVisValid && tr.embedding.length % 4 === 0) {
    gammaPoint(tr.visCentroid, width, height, tr.gVis);
    tr.gVisValid = true;
  }
  shiftEmbedding(tr.embedding, tr.visCentroid, tr.gVis, tr.predCentroid, width, height, tr.predEmbeddingAmodal, scratch);
  if (visible === tr.predCentroid) tr.predEmbedding.set(tr.predEmbeddingAmodal);
  else shiftEmbedding(tr.embedding, tr.visCentroid, tr.gVis, visible, width, height, tr.predEmbedding, scratch);
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
export function occludedEdges(ids: Int32Array, width: number, height: number, s: Segment, isThing: Uint8Array, axes = 3): number {
  const [x, y, w, h] = s.bbox;
  let bits = 0;
  if (axes & 1) {
    if (probeOther(ids, width, height, s.id, isThing, x - 1, y, 0, 1, h)) bits |= EDGE_LEFT;
    if (probeOther(ids, width, height, s.id, isThing, x + w, y, 0, 1, h)) bits |= EDGE_RIGHT;
  }
  if (axes & 2) {
    if (probeOther(ids, width, height, s.id, isThing, x, y - 1, 1, 0, w)) bits |= EDGE_TOP;
    if (probeOther(ids, width, height, s.id, isThing, x, y + h, 1, 0, w)) bits |= EDGE_BOTTOM;
  }
  return bits;
}

/**
 * Whether more than 30 % of the `n` pixels from (x0, y0) in steps (dx, dy) belong to other thing segments.
 * Stops as soon as the answer is decided (the vertical probes are cache-unfriendly strides).
 */
function probeOther(ids: Int32Array, width: number, height: number, sid: number, isThing: Uint8Array, x0: number, y0: number, dx: number, dy: number, n: number): boolean {
  if (x0 < 0 || y0 < 0 || x0 + dx * (n - 1) >= width || y0 + dy * (n - 1) >= height) return false;
  const need = 0.3 * n;
  let other = 0;
  for (let k = 0, px = x0, py = y0; k < n; k++, px += dx, py += dy) {
    const id = ids[py * width + px]!;
    if (id !== sid && id > 0 && id < isThing.length && isThing[id]) {
      if (++other > need) return true;
    } else if (other + (n - 1 - k) <= need) return false;
  }
  return other > need;
}

/**
 * Completes a segment that is smaller than the track's reference size (per axis), from its trusted edge
 * (`occluded`: {@link occludedEdges} bits of the segment).
 */
export function complete(tr: Track, s: Segment, ratio: number, width: number, height: number, occluded = 0): Completion {
  return completeInto(tr, s, ratio, width, height, occluded, newCompletion());
}

export function newCompletion(): Completion {
  return { box: [0, 0, 0, 0], centroid: [0, 0], partialX: false, partialY: false, partialArea: false, partial: false };
}

/** {@link complete} writing into `out` (its `box` and `centroid` arrays are overwritten): no allocation per pair. */
export function completeInto(tr: Track, s: Segment, ratio: number, width: number, height: number, occluded: number, out: Completion): Completion {
  const b = s.bbox;
  const p = tr.predAmodal;
  const partialX = b[2] < ratio * tr.size[0];
  const partialY = b[3] < ratio * tr.size[1];
  const partialArea = s.area < ratio * tr.refArea;
  out.partialX = partialX;
  out.partialY = partialY;
  out.partialArea = partialArea;
  out.partial = partialX || partialY || partialArea;
  if (!out.partial) {
    out.box[0] = b[0];
    out.box[1] = b[1];
    out.box[2] = b[2];
    out.box[3] = b[3];
    out.centroid[0] = s.centroid[0];
    out.centroid[1] = s.centroid[1];
    return out;
  }
  const x = partialX ? anchoredStart(b[0], b[2], p[0], p[2], tr.size[0], width, (occluded & EDGE_LEFT) !== 0, (occluded & EDGE_RIGHT) !== 0) : b[0];
  const w = partialX ? tr.size[0] : b[2];
  const y = partialY ? anchoredStart(b[1], b[3], p[1], p[3], tr.size[1], height, (occluded & EDGE_TOP) !== 0, (occluded & EDGE_BOTTOM) !== 0) : b[1];
  const h = partialY ? tr.size[1] : b[3];
  // Partly hidden: the mask's centre of mass is biased toward the visible part, the (completed) box is
  // not; use box centre + the shape offset measured at the last full view.
  out.box[0] = x;
  out.box[1] = y;
  out.box[2] = w;
  out.box[3] = h;
  out.centroid[0] = partialX || partialArea ? x + w / 2 + tr.offset[0] : s.centroid[0];
  out.centroid[1] = partialY || partialArea ? y + h / 2 + tr.offset[1] : s.centroid[1];
  return out;
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
  if (tr.gVis.length !== s.embedding.length) tr.gVis = new Float32Array(s.embedding.length);
  tr.gVisValid = false;
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
