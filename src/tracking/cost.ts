/**
 * Association cost between a track and a candidate segment of the same category:
 * embeddingWeight · ‖e(segment) − ê(track)‖ + overlapWeight · (1 − IoU), where ê is the track's embedding
 * predicted forward by its motion. When the segment is smaller than the track's reference size (partly
 * hidden) both sides are compared at the completed (amodal) position and box instead of the visible one.
 */
import type { Segment } from '../core/types.js';
import { embeddingDistance } from '../model/pe.js';
import type { MaskOverlaps } from './mask-overlap.js';
import { boxIoU, gammaPoint, shiftEmbedding } from './motion.js';
import { completeInto, newCompletion, type Completion, type Track } from './track.js';
import type { TrackerOptions } from './types.js';

export interface CostContext {
  options: TrackerOptions;
  width: number;
  height: number;
  /** Mask overlaps with the previous frame (overlap: 'mask'), else null. */
  overlaps: MaskOverlaps | null;
  /** Frame time of the previous frame (mask IoU applies to tracks matched then). */
  prevT: number;
  /**
   * Occluded-edge bits (see occludedEdges) of the frame's segment at index `j` for `axes` (1 = left/right,
   * 2 = top/bottom; see needsOccluded); computed on first use, since only a partly hidden axis reads them
   * (the probes walk box edges of the id map: cache misses). Bits of axes not asked for may be 0.
   */
  occludedOf: (j: number, axes: number) => number;
  /** γ(centroid) of this frame's segments by index, filled on first use by a partly hidden pair. */
  segmentGamma: (Float32Array | undefined)[];
  /** Reused completion of the pair being costed. */
  completion: Completion;
  /** Reused: the shifted embedding of a partly hidden pair, and scratch for it (embedding length each). */
  shifted: Float32Array;
  shiftScratch: Float32Array;
}

/** A fresh per-frame cost context for embeddings of `embeddingLength` values. */
export function costContext(base: Omit<CostContext, 'segmentGamma' | 'completion' | 'shifted' | 'shiftScratch'>, embeddingLength: number): CostContext {
  const n = Math.max(0, embeddingLength);
  return { ...base, segmentGamma: [], completion: newCompletion(), shifted: new Float32Array(n), shiftScratch: new Float32Array(n) };
}

/**
 * Spatial pre-gate: the segment's box must touch the track's predicted (amodal) box dilated by the
 * track's size plus 1/16 of the frame per axis. Beyond that the embedding distance is in its saturated,
 * aliasing range (with L = 4 the highest harmonic wraps every 1/8 of the frame), so such a pair is
 * never a credible match; skipping it also keeps the per-frame cost linear in practice.
 */
export function withinReach(tr: Track, s: Segment, width: number, height: number): boolean {
  const p = tr.predAmodal;
  const mx = Math.max(tr.size[0], tr.size[1]) + width / 16;
  const my = Math.max(tr.size[0], tr.size[1]) + height / 16;
  const b = s.bbox;
  return b[0] <= p[0] + p[2] + mx && b[0] + b[2] >= p[0] - mx && b[1] <= p[1] + p[3] + my && b[1] + b[3] >= p[1] - my;
}

/** Cost of matching track `tr` with the frame's segment `s` (at index `j`); Infinity beyond the spatial gate. */
export function pairCost(tr: Track, s: Segment, j: number, ctx: CostContext, gate = Infinity): number {
  const o = ctx.options;
  if (!withinReach(tr, s, ctx.width, ctx.height)) return Infinity;
  const r = o.partialSizeRatio;
  const c = r > 0 ? completeInto(tr, s, r, ctx.width, ctx.height, ctx.occludedOf(j, needsOccluded(tr, s, r)), ctx.completion) : null;
  const partial = c !== null && c.partial;
  let overlapTerm = 0;
  if (o.overlapWeight > 0 && o.overlap !== 'none') {
    let iou: number;
    if (ctx.overlaps && tr.lastSeenT === ctx.prevT) {
      const inter = ctx.overlaps.get(tr.lastSegmentId, s.id);
      iou = inter > 0 ? inter / (tr.area + s.area - inter) : 0;
    } else {
      iou = partial ? boxIoU(tr.predAmodal, c.box) : boxIoU(tr.predBox, s.bbox);
    }
    overlapTerm = o.overlapWeight * (1 - iou);
  }
  let embeddingTerm = 0;
  if (o.embeddingWeight > 0) {
    let d: number;
    if (partial) {
      // Compared at the completed centroid: e(s) + γ(completed) − γ(visible), which costs trig per pair.
      // First a trig-free lower bound (triangle inequality): a pair that cannot pass the gate is out.
      const d0 = embeddingDistance(tr.predEmbeddingAmodal, s.embedding);
      if (o.embeddingWeight * (d0 - shiftBound(s.centroid, c.centroid, s.embedding.length, ctx.width, ctx.height)) + overlapTerm > gate) return Infinity;
      const n = s.embedding.length;
      let g = ctx.segmentGamma[j];
      if (!g) {
        g = new Float32Array(n);
        if (n % 4 === 0) gammaPoint(s.centroid, ctx.width, ctx.height, g);
        ctx.segmentGamma[j] = g;
      }
      shiftEmbedding(s.embedding, s.centroid, g, c.centroid, ctx.width, ctx.height, ctx.shifted, ctx.shiftScratch);
      d = embeddingDistance(tr.predEmbeddingAmodal, ctx.shifted);
    } else {
      d = embeddingDistance(tr.predEmbedding, s.embedding);
    }
    embeddingTerm = o.embeddingWeight * d;
  }
  return embeddingTerm + overlapTerm;
}

/** Occluded-edge axes a completion of `s` against `tr` reads: 1 = left/right (partial width), 2 = top/bottom. */
export function needsOccluded(tr: Track, s: Segment, ratio: number): number {
  return (s.bbox[2] < ratio * tr.size[0] ? 1 : 0) | (s.bbox[3] < ratio * tr.size[1] ? 2 : 0);
}

/**
 * Upper bound of ‖γ(to) − γ(from)‖ for the 4·L layout of predictEmbedding (0 for other layouts, which do not
 * move), without trig: per axis and harmonic k, |Δ(sin, cos)| = 2·|sin(2^k·π·Δu / 2)| ≤ min(2, 2^k·π·|Δu|).
 * Padded by 1e-4 for the float32 rounding of the shifted embedding (its entries are below 4 in magnitude).
 */
export function shiftBound(from: readonly [number, number], to: readonly [number, number], n: number, width: number, height: number): number {
  if (n % 4 !== 0 || n === 0) return 0;
  const du = Math.abs((2 * (to[0] - from[0])) / width);
  const dv = Math.abs((2 * (to[1] - from[1])) / height);
  let sum = 0;
  let f = Math.PI;
  for (let k = 0; k < n / 4; k++, f *= 2) sum += Math.min(4, f * f * du * du) + Math.min(4, f * f * dv * dv);
  return Math.sqrt(sum) + 1e-4;
}
