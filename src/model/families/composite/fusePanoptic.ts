/**
 * Pure panoptic fusion of instance masks (things) and a semantic label map (stuff), as in
 * Panoptic FPN / Detectron2's `combine_semantic_and_instance_outputs`:
 * 1. things are painted best score first; an instance keeps only pixels no earlier instance took,
 *    and is dropped when less than `minKeptRatio` of its own mask remains (or its score is below
 *    `minInstanceScore`);
 * 2. stuff comes from the semantic map on the pixels still free, one segment per stuff class,
 *    dropped when smaller than `minStuffAreaFraction` of the frame;
 * 3. everything else (including the semantic model's own "thing" classes, which the caller maps to
 *    void) stays void (id 0).
 */
import type { SegmentInfo } from '../../segments.js';
import type { RegionMask } from './decodeYoloSeg.js';

export interface FusionInstance {
  /** Unified category id. */
  readonly categoryId: number;
  readonly score: number;
  readonly mask: RegionMask;
}

export interface FusionOptions {
  /** Instances scoring below this are ignored. Default 0 (the detector's own threshold applies). */
  minInstanceScore?: number;
  /** Fraction of an instance's mask that must remain free of better instances to keep it. Default 0.5. */
  minKeptRatio?: number;
  /** Minimum stuff segment area as a fraction of the frame area. Default 0.001 (0.1 %). */
  minStuffAreaFraction?: number;
}

export interface FusionResult {
  /** Per-pixel segment ids, 0 = void. */
  readonly ids: Int32Array;
  readonly infos: SegmentInfo[];
}

/**
 * @param semantic per-pixel unified stuff category id (width×height), or a negative value for void /
 *   thing classes of the semantic model. `undefined` when the composite has no semantic model.
 */
export function fusePanoptic(
  width: number,
  height: number,
  instances: readonly FusionInstance[],
  semantic: Int32Array | undefined,
  opts: FusionOptions = {},
): FusionResult {
  const minScore = opts.minInstanceScore ?? 0;
  const minKept = opts.minKeptRatio ?? 0.5;
  const minStuff = (opts.minStuffAreaFraction ?? 0.001) * width * height;
  const ids = new Int32Array(width * height);
  const infos: SegmentInfo[] = [];
  let nextId = 1;
  const order = instances.map((_, i) => i).sort((a, b) => instances[b]!.score - instances[a]!.score);
  for (const i of order) {
    const inst = instances[i]!;
    if (inst.score < minScore) continue;
    const m = inst.mask;
    const x1 = Math.min(width, m.left + m.width);
    const y1 = Math.min(height, m.top + m.height);
    let area = 0;
    let free = 0;
    for (let y = Math.max(0, m.top); y < y1; y++) {
      const mo = (y - m.top) * m.width - m.left;
      const o = y * width;
      for (let x = Math.max(0, m.left); x < x1; x++) {
        if (!m.data[mo + x]) continue;
        area++;
        if (ids[o + x] === 0) free++;
      }
    }
    if (area === 0 || free === 0 || free / area < minKept) continue;
    const id = nextId++;
    for (let y = Math.max(0, m.top); y < y1; y++) {
      const mo = (y - m.top) * m.width - m.left;
      const o = y * width;
      for (let x = Math.max(0, m.left); x < x1; x++) if (m.data[mo + x] && ids[o + x] === 0) ids[o + x] = id;
    }
    infos.push({ id, categoryId: inst.categoryId, isThing: true, score: inst.score });
  }
  if (!semantic) return { ids, infos };

  // Stuff: count free pixels per class (dense counters: category ids are small integers), then
  // paint the classes that pass the area threshold.
  let maxCat = -1;
  for (let i = 0; i < semantic.length; i++) if (semantic[i]! > maxCat) maxCat = semantic[i]!;
  if (maxCat < 0) return { ids, infos };
  const counts = new Int32Array(maxCat + 1);
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] !== 0) continue;
    const c = semantic[i]!;
    if (c >= 0) counts[c]++;
  }
  const stuffId = new Int32Array(maxCat + 1);
  for (let c = 0; c <= maxCat; c++) {
    const n = counts[c]!;
    if (n === 0 || n < minStuff) continue;
    const id = nextId++;
    stuffId[c] = id;
    infos.push({ id, categoryId: c, isThing: false, score: 1 });
  }
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] !== 0) continue;
    const c = semantic[i]!;
    if (c >= 0) ids[i] = stuffId[c]!;
  }
  return { ids, infos };
}
