/**
 * Pure panoptic inference for mask-classification models (MaskFormer, Mask2Former, OneFormer, EoMT,
 * DETR-style), following Mask2Former's `panoptic_inference`:
 * softmax over C+1 classes → per query (score, label) = max → drop "no object" (index C) and scores
 * ≤ `scoreThreshold` → per pixel the kept query maximising score·sigmoid(mask logit) wins → a query
 * becomes a segment only if its won pixels that are also ≥ `maskThreshold` are non-empty and its
 * won area is at least `overlapThreshold` of its own thresholded mask; stuff queries of the same
 * class are merged into one segment. Mask logits are upsampled bilinearly (pixel centres) from the
 * mask grid, which covers the model input, to the frame through the input {@link Placement}.
 */
import type { SegmentInfo } from '../../segments.js';
import type { Placement } from '../composite/placement.js';

export interface MaskClassificationOptions {
  /** Minimum softmax score of a kept query. Default 0.8 (Mask2Former's object_mask_threshold). */
  scoreThreshold?: number;
  /** Minimum won-area / own-mask-area ratio. Default 0.8 (Mask2Former's overlap_threshold). */
  overlapThreshold?: number;
  /** Mask probability threshold. Default 0.5. */
  maskThreshold?: number;
}

export interface MaskClassificationOutputs {
  /** [Q, C+1] class logits (the last class is "no object"). */
  readonly classLogits: Float32Array;
  /** [Q, h, w] mask logits. */
  readonly maskLogits: Float32Array;
  readonly numQueries: number;
  /** C + 1. */
  readonly numLogits: number;
  readonly maskHeight: number;
  readonly maskWidth: number;
}

/** What each class index (0..C−1) of the model means. */
export interface ClassTable {
  readonly categoryIds: ArrayLike<number>;
  readonly isThing: ArrayLike<boolean>;
}

export interface MaskClassificationResult {
  readonly ids: Int32Array;
  readonly infos: SegmentInfo[];
}

export function decodeMaskClassification(
  out: MaskClassificationOutputs,
  classes: ClassTable,
  p: Placement,
  frameWidth: number,
  frameHeight: number,
  opts: MaskClassificationOptions = {},
): MaskClassificationResult {
  const scoreThr = opts.scoreThreshold ?? 0.8;
  const overlapThr = opts.overlapThreshold ?? 0.8;
  const maskThr = opts.maskThreshold ?? 0.5;
  const { numQueries: q, numLogits: c1, maskHeight: mh, maskWidth: mw } = out;
  if (out.classLogits.length < q * c1 || out.maskLogits.length < q * mh * mw)
    throw new RangeError(`mask-classification outputs do not fit: ${out.classLogits.length} class logits for [${q},${c1}], ${out.maskLogits.length} mask logits for [${q},${mh},${mw}]`);
  if (classes.categoryIds.length < c1 - 1) throw new RangeError(`class table has ${classes.categoryIds.length} classes, model predicts ${c1 - 1}`);

  // 1. Scores and labels; keep real classes above the threshold.
  const kept: { query: number; label: number; score: number }[] = [];
  for (let k = 0; k < q; k++) {
    const row = k * c1;
    let max = -Infinity;
    for (let j = 0; j < c1; j++) max = Math.max(max, out.classLogits[row + j]!);
    let sum = 0;
    let best = 0;
    let bestV = -Infinity;
    for (let j = 0; j < c1; j++) {
      const e = Math.exp(out.classLogits[row + j]! - max);
      sum += e;
      if (e > bestV) {
        bestV = e;
        best = j;
      }
    }
    const score = bestV / sum;
    if (best !== c1 - 1 && score > scoreThr) kept.push({ query: k, label: best, score });
  }
  const ids = new Int32Array(frameWidth * frameHeight);
  if (kept.length === 0) return { ids, infos: [] };

  // 2. Per-pixel winner of score·sigmoid(logit) (monotone: compare in logit-free form via sigmoid).
  const nk = kept.length;
  const winner = new Int32Array(frameWidth * frameHeight);
  const winnerOn = new Uint8Array(frameWidth * frameHeight);
  const ownArea = new Float64Array(nk);
  const wonArea = new Float64Array(nk);
  const finalArea = new Float64Array(nk);
  const gx = mw / p.dstWidth;
  const gy = mh / p.dstHeight;
  const x0 = new Int32Array(frameWidth);
  const x1 = new Int32Array(frameWidth);
  const fx = new Float32Array(frameWidth);
  for (let x = 0; x < frameWidth; x++) {
    const u = Math.min(mw - 1, Math.max(0, ((x + 0.5) * p.scaleX + p.padX) * gx - 0.5));
    x0[x] = Math.floor(u);
    x1[x] = Math.min(mw - 1, x0[x]! + 1);
    fx[x] = u - x0[x]!;
  }
  const planes = kept.map((k) => k.query * mh * mw);
  const scores = kept.map((k) => k.score);
  for (let y = 0; y < frameHeight; y++) {
    const v = Math.min(mh - 1, Math.max(0, ((y + 0.5) * p.scaleY + p.padY) * gy - 0.5));
    const r0 = Math.floor(v);
    const r1 = Math.min(mh - 1, r0 + 1);
    const fy = v - r0;
    for (let x = 0; x < frameWidth; x++) {
      const a = r0 * mw;
      const b = r1 * mw;
      const i0 = x0[x]!;
      const i1 = x1[x]!;
      const f = fx[x]!;
      let bestK = 0;
      let bestV = -1;
      let bestOn = 0;
      for (let k = 0; k < nk; k++) {
        const m = out.maskLogits;
        const pl = planes[k]!;
        const top = m[pl + a + i0]! * (1 - f) + m[pl + a + i1]! * f;
        const bot = m[pl + b + i0]! * (1 - f) + m[pl + b + i1]! * f;
        const prob = 1 / (1 + Math.exp(-(top * (1 - fy) + bot * fy)));
        const on = prob >= maskThr ? 1 : 0;
        ownArea[k] += on;
        const sv = scores[k]! * prob;
        if (sv > bestV) {
          bestV = sv;
          bestK = k;
          bestOn = on;
        }
      }
      const i = y * frameWidth + x;
      winner[i] = bestK;
      winnerOn[i] = bestOn;
      wonArea[bestK]++;
      if (bestOn) finalArea[bestK]++;
    }
  }

  // 3. Segments: overlap rule, stuff merged per class.
  const segOf = new Int32Array(nk);
  const infos: SegmentInfo[] = [];
  const stuffSeg = new Map<number, number>();
  let nextId = 1;
  for (let k = 0; k < nk; k++) {
    const { label, score } = kept[k]!;
    if (wonArea[k]! === 0 || ownArea[k]! === 0 || finalArea[k]! === 0) continue;
    if (wonArea[k]! / ownArea[k]! < overlapThr) continue;
    const categoryId = classes.categoryIds[label]!;
    const isThing = classes.isThing[label]!;
    if (!isThing) {
      const existing = stuffSeg.get(categoryId);
      if (existing !== undefined) {
        segOf[k] = existing;
        continue;
      }
    }
    const id = nextId++;
    segOf[k] = id;
    if (!isThing) stuffSeg.set(categoryId, id);
    infos.push({ id, categoryId, isThing, score });
  }
  for (let i = 0; i < ids.length; i++) if (winnerOn[i]) ids[i] = segOf[winner[i]!]!;
  return { ids, infos };
}
