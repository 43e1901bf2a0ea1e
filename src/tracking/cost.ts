/**
 * Association cost between a track and a candidate segment of the same category:
 * embeddingWeight · ‖e(segment) − ê(track)‖ + overlapWeight · (1 − IoU), where ê is the track's embedding
 * predicted forward by its motion. When the segment is smaller than the track's reference size (partly
 * hidden) both sides are compared at the completed (amodal) position and box instead of the visible one.
 */
import type { Segment } from '../core/types.js';
import { embeddingDistance } from '../model/pe.js';
import type { MaskOverlaps } from './mask-overlap.js';
import { boxIoU, predictEmbedding } from './motion.js';
import { complete, type Track } from './track.js';
import type { TrackerOptions } from './types.js';

export interface CostContext {
  options: TrackerOptions;
  width: number;
  height: number;
  /** Mask overlaps with the previous frame (overlap: 'mask'), else null. */
  overlaps: MaskOverlaps | null;
  /** Frame time of the previous frame (mask IoU applies to tracks matched then). */
  prevT: number;
  /** Scratch: ≥ 3·embedding length values. */
  scratch: Float32Array;
  /** Occluded-edge bits per segment id (see occludedEdges), when partial completion is on. */
  occluded: Map<number, number>;
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

export function pairCost(tr: Track, s: Segment, ctx: CostContext): number {
  const o = ctx.options;
  if (!withinReach(tr, s, ctx.width, ctx.height)) return Infinity;
  const c = o.partialSizeRatio > 0 ? complete(tr, s, o.partialSizeRatio, ctx.width, ctx.height, ctx.occluded.get(s.id) ?? 0) : null;
  const partial = c !== null && c.partial;
  let cost = 0;
  if (o.embeddingWeight > 0) {
    let d: number;
    if (partial) {
      const n = s.embedding.length;
      const shifted = ctx.scratch.subarray(2 * n, 3 * n);
      predictEmbedding(s.embedding, s.centroid, c.centroid, ctx.width, ctx.height, shifted, ctx.scratch);
      d = embeddingDistance(tr.predEmbeddingAmodal, shifted);
    } else {
      d = embeddingDistance(tr.predEmbedding, s.embedding);
    }
    cost += o.embeddingWeight * d;
  }
  if (o.overlapWeight > 0 && o.overlap !== 'none') {
    let iou: number;
    if (ctx.overlaps && tr.lastSeenT === ctx.prevT) {
      const inter = ctx.overlaps.get(tr.lastSegmentId, s.id);
      iou = inter > 0 ? inter / (tr.area + s.area - inter) : 0;
    } else {
      iou = partial ? boxIoU(tr.predAmodal, c.box) : boxIoU(tr.predBox, s.bbox);
    }
    cost += o.overlapWeight * (1 - iou);
  }
  return cost;
}
