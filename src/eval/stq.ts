/**
 * Segmentation and Tracking Quality (STQ), Weber et al. 2021 ("STEP: Segmenting and Tracking Every
 * Pixel"), computed exactly as deeplab2's reference `STQuality`:
 * STQ = √(AQ · SQ) where SQ is the class mean IoU and AQ the association quality of thing tubes.
 *
 * Labels are panoptic: `semantic · labelDivisor + instance` (deeplab2's bit-shift form is
 * `labelDivisor = 2^bitShift`). Ground-truth pixels of a thing class with instance 0 are crowd: left
 * out of AQ for both ground truth and prediction. Pixels whose ground-truth class is `ignoreLabel`
 * are left out of SQ (rows removed from the confusion matrix). AQ intersections are keyed
 * `gt · offset + pred` as in the reference, so `offset` must exceed every label (checked).
 *
 * Incremental: `update(gt, pred, sequenceId)` per frame, `result()` at any time.
 */
import { z } from 'zod';
import { parseWith } from '../core/config.js';

export const stqConfigSchema = z
  .object({
    /** Number of semantic classes (class ids 0 … numClasses−1). */
    numClasses: z.number().int().min(1).max(65535),
    /** Class ids that are things (tracked instances). */
    thingClasses: z.array(z.number().int().min(0)),
    /** Class id excluded from evaluation (ground-truth pixels of it are ignored). */
    ignoreLabel: z.number().int().min(0),
    /** label = semantic · labelDivisor + instance (2^16 for STEP bit-shift labels, 1000 for Cityscapes-style). */
    labelDivisor: z.number().int().min(1),
    /** Key multiplier for intersections (deeplab2's `offset`): > every label; offset² ≤ 2^53. */
    offset: z.number().int().min(1).max(94_906_265),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.offset < c.numClasses * c.labelDivisor)
      ctx.addIssue({ code: 'custom', path: ['offset'], message: `must be ≥ numClasses · labelDivisor = ${c.numClasses * c.labelDivisor}` });
  });

export type StqConfig = z.output<typeof stqConfigSchema>;

export interface StqSequenceResult {
  id: string;
  stq: number;
  aq: number;
  /** Mean IoU over classes present in this sequence (deeplab2 'IoU_per_seq'). */
  sq: number;
  frames: number;
}

export interface StqResult {
  stq: number;
  aq: number;
  /** Segmentation quality: mean IoU over classes (deeplab2 'IoU'). */
  sq: number;
  sequences: StqSequenceResult[];
}

type LabelArray = ArrayLike<number>;

interface SequenceStats {
  confusion: Float64Array;
  gt: Map<number, number>;
  pred: Map<number, number>;
  inter: Map<number, number>;
  frames: number;
}

const EPSILON = 1e-15;

export class StqAccumulator {
  readonly config: StqConfig;
  private readonly size: number;
  private readonly things: Uint8Array;
  private readonly sequences = new Map<string, SequenceStats>();

  constructor(config: unknown) {
    this.config = parseWith(stqConfigSchema, config, 'stq');
    const c = this.config;
    this.size = c.ignoreLabel >= c.numClasses ? c.numClasses + 1 : c.numClasses;
    this.things = new Uint8Array(c.numClasses);
    for (const t of c.thingClasses) if (t < c.numClasses) this.things[t] = 1;
  }

  /** Adds one frame. `gt` and `pred` are label maps of equal length (any integer array). */
  update(gt: LabelArray, pred: LabelArray, sequenceId: string | number = 0): void {
    if (gt.length !== pred.length) throw new TypeError(`pred: expected ${gt.length} labels like gt, got ${pred.length}`);
    const key = String(sequenceId);
    let seq = this.sequences.get(key);
    if (!seq) {
      seq = { confusion: new Float64Array(this.size * this.size), gt: new Map(), pred: new Map(), inter: new Map(), frames: 0 };
      this.sequences.set(key, seq);
    }
    seq.frames++;
    // Run-length accumulate (gt, pred) pairs: label maps are piecewise constant along rows.
    let g0 = NaN;
    let p0 = NaN;
    let run = 0;
    for (let i = 0; i < gt.length; i++) {
      const g = gt[i]!;
      const p = pred[i]!;
      if (g === g0 && p === p0) {
        run++;
        continue;
      }
      if (run > 0) this.add(seq, g0, p0, run, i - run);
      g0 = g;
      p0 = p;
      run = 1;
    }
    if (run > 0) this.add(seq, g0, p0, run, gt.length - run);
  }

  private semanticIndex(label: number, field: string, at: number): number {
    const c = this.config;
    if (!Number.isInteger(label) || label < 0) throw new TypeError(`${field}[${at}]: expected a non-negative integer label, got ${label}`);
    const sem = Math.floor(label / c.labelDivisor);
    if (sem === c.ignoreLabel) return c.ignoreLabel >= c.numClasses ? c.numClasses : sem;
    if (sem >= c.numClasses)
      throw new TypeError(`${field}[${at}]: label ${label} has class ${sem}, outside 0…${c.numClasses - 1} and not the ignore label ${c.ignoreLabel}`);
    return sem;
  }

  private add(seq: SequenceStats, g: number, p: number, count: number, at: number): void {
    const c = this.config;
    const gs = this.semanticIndex(g, 'gt', at);
    const ps = this.semanticIndex(p, 'pred', at);
    seq.confusion[gs * this.size + ps] += count;
    let gtThing = gs < c.numClasses && this.things[gs] === 1;
    const crowd = gtThing && g - gs * c.labelDivisor === 0;
    if (crowd) gtThing = false;
    const predThing = !crowd && ps < c.numClasses && this.things[ps] === 1;
    if (predThing) {
      if (p >= c.offset) throw new TypeError(`pred[${at}]: label ${p} must be below offset ${c.offset}`);
      seq.pred.set(p, (seq.pred.get(p) ?? 0) + count);
    }
    if (gtThing) seq.gt.set(g, (seq.gt.get(g) ?? 0) + count);
    if (gtThing && predThing) {
      const k = g * c.offset + p;
      seq.inter.set(k, (seq.inter.get(k) ?? 0) + count);
    }
  }

  /** STQ, AQ and SQ over all sequences so far, and per sequence (in first-seen order). */
  result(): StqResult {
    const c = this.config;
    const n = this.size;
    const total = new Float64Array(n * n);
    let aqSum = 0;
    let tubes = 0;
    const sequences: StqSequenceResult[] = [];
    for (const [id, seq] of this.sequences) {
      let outer = 0;
      // Σ_gt 1/|gt| Σ_pred TPA · IoU(gt, pred), over intersecting pairs only (others contribute 0).
      for (const [k, tpa] of seq.inter) {
        const g = Math.floor(k / c.offset);
        const p = k - g * c.offset;
        const gtSize = seq.gt.get(g)!;
        const prSize = seq.pred.get(p)!;
        outer += (tpa * (tpa / (gtSize + prSize - tpa))) / gtSize;
      }
      const nt = seq.gt.size;
      aqSum += outer;
      tubes += nt;
      const aq = outer / Math.max(nt, EPSILON);
      // Remove ground-truth rows that are not evaluated (the ignore class).
      const conf = seq.confusion.slice();
      for (let r = 0; r < n; r++) if (!this.included(r)) conf.fill(0, r * n, (r + 1) * n);
      for (let i = 0; i < conf.length; i++) total[i] += conf[i]!;
      const sq = meanIoU(conf, n);
      sequences.push({ id, stq: Math.sqrt(aq * sq), aq, sq, frames: seq.frames });
    }
    const aq = aqSum / Math.max(tubes, EPSILON);
    const sq = meanIoU(total, n);
    return { stq: Math.sqrt(aq * sq), aq, sq, sequences };
  }

  private included(row: number): boolean {
    const c = this.config;
    return c.ignoreLabel >= c.numClasses ? row < c.numClasses : row !== c.ignoreLabel;
  }

  reset(): void {
    this.sequences.clear();
  }
}

/** Mean IoU over classes with a non-empty union (rows = ground truth, columns = prediction). */
function meanIoU(conf: Float64Array, n: number): number {
  let sum = 0;
  let classes = 0;
  for (let k = 0; k < n; k++) {
    const tp = conf[k * n + k]!;
    let rowSum = 0;
    let colSum = 0;
    for (let j = 0; j < n; j++) {
      rowSum += conf[k * n + j]!;
      colSum += conf[j * n + k]!;
    }
    const union = rowSum + colSum - tp;
    if (union !== 0) {
      classes++;
      sum += tp / union;
    }
  }
  return sum / classes;
}
