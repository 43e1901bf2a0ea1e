/**
 * Tracking contracts: tracker options (validated with zod, every default documented with its reason
 * in docs/tracking.md) and the JSON snapshot returned by `Tracker.toJSON()`.
 */
import { z } from 'zod';
import { parseWith } from '../core/config.js';
import type { TrackState } from '../core/types.js';

/** Overlap term added to the embedding distance. */
export type OverlapKind = 'none' | 'box' | 'mask';

export const trackerOptionsSchema = z
  .object({
    /**
     * Matched frames (birth frame included) before a tentative track becomes confirmed and a
     * `started` event is emitted. Default 3: one or two-frame false positives never reach subscribers.
     */
    minHits: z.number().int().min(1).max(1000).default(3),
    /**
     * Frames a confirmed track may go unmatched (occluded, missed) and still be re-associated;
     * after that it ends. Default 30 (3 s at 10 fps): covers a person passing behind another one.
     */
    maxAgeFrames: z.number().int().min(0).max(100_000).default(30),
    /**
     * Frames a tentative track may go unmatched before it is dropped silently. Default 1: a single
     * missed detection in the first frames does not split an object, two do.
     */
    maxTentativeMissFrames: z.number().int().min(0).max(1000).default(1),
    /**
     * Largest association cost (dimensionless, see `embeddingWeight` and `overlapWeight`) at which
     * a track and a segment may be matched. Default 4 (measured on the synthetic noise suite, docs/tracking.md).
     */
    maxCost: z.number().positive().max(1e6).default(4),
    /**
     * Weight of the Euclidean distance between the segment's embedding and the track's predicted
     * embedding (PE units; with L = 4 harmonics a distance of 1 ≈ 1/58 of the frame width of
     * residual motion, saturating near 4–5.7 for unrelated positions). Default 1.
     */
    embeddingWeight: z.number().min(0).max(1e6).default(1),
    /** Overlap term: predicted-box IoU (default), mask IoU with the previous frame, or none. */
    overlap: z.enum(['none', 'box', 'mask']).default('box'),
    /** Weight of (1 − IoU) in the cost, in [0, 1] units of IoU. Default 1.5 (see docs/tracking.md). */
    overlapWeight: z.number().min(0).max(1e6).default(1.5),
    /**
     * Exponential smoothing of the centroid velocity (px/frame): v ← α·observed + (1 − α)·v.
     * Default 0.5: halves centroid jitter in the prediction while following a turn within 2–3 frames.
     */
    velocitySmoothing: z.number().gt(0).max(1).default(0.5),
    /**
     * Extra cost allowance per missed frame for lost tracks (maxCost grows by this much per frame
     * unseen) because the prediction error grows with coasting time. Default 0.1.
     */
    lostCostGrowthPerFrame: z.number().min(0).max(1e6).default(0.1),
    /**
     * A matched segment whose box side is below this fraction of the track's reference size is taken
     * as partly hidden (occlusion, frame edge): its motion is measured from the restored (amodal) box
     * anchored at the edge nearest the prediction, so the visible sliver does not stall the velocity.
     * Default 0.75 (fraction, 0 disables).
     */
    partialSizeRatio: z.number().min(0).max(1).default(0.75),
  })
  .strict();

export type TrackerOptionsInput = z.input<typeof trackerOptionsSchema>;
export type TrackerOptions = z.output<typeof trackerOptionsSchema>;

/** Validates tracker options; throws a ConfigError naming the field (e.g. `tracking.maxCost`). */
export function parseTrackerOptions(input: unknown = {}, root = 'tracking'): TrackerOptions {
  return parseWith(trackerOptionsSchema, input ?? {}, root);
}

/** One track as seen in `Tracker.toJSON()`. */
export interface TrackSnapshot {
  trackId: number;
  categoryId: number;
  isThing: boolean;
  state: TrackState;
  hits: number;
  /** Frames since last matched (0 when matched in the latest frame). */
  missedFrames: number;
  ageFrames: number;
  centroid: [number, number];
  velocity: [number, number];
  bbox: [number, number, number, number];
}

export interface TrackerSnapshot {
  options: TrackerOptions;
  /** Next track id to be handed out (ids are never reused within the tracker's lifetime). */
  nextTrackId: number;
  framesSeen: number;
  lastSeq: number | null;
  tracks: TrackSnapshot[];
}
