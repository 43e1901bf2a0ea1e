/**
 * Panoptic Quality with panopticapi's exact rules (`pq_compute_single_core` / `PQStat.pq_average`):
 * - a GT segment and a prediction of the same category match when IoU > 0.5, where
 *   union = pred.area + gt.area − intersection − |pred ∩ GT void (id 0)|; crowd GT never matches;
 * - unmatched non-crowd GT → FN; crowd GT is ignored;
 * - an unmatched prediction is not a FP when (|pred ∩ void| + |pred ∩ crowd GT of its category|) / pred.area > 0.5;
 * - PQ = Σ IoU / (TP + ½FP + ½FN), SQ = Σ IoU / TP, RQ = TP / (TP + ½FP + ½FN) per category; averages
 *   over categories with TP + FP + FN > 0 (All / Things / Stuff).
 * GT areas come from the segment's `area` when given (as panopticapi reads them from the JSON), else
 * from the id map; prediction areas always from the id map. Pixel ids of GT not listed in its segments
 * are neither void nor segments (as in panopticapi). Values are fractions in [0, 1].
 */
import { ConfigError } from '../core/errors.js';

export interface PqSegment {
  id: number;
  categoryId: number;
  isCrowd?: boolean;
  /** Area in pixels; GT only (predictions are recounted from the id map). */
  area?: number;
}

/** One image's panoptic labelling: per-pixel segment ids (0 = void) and its segments. */
export interface PanopticImage {
  width: number;
  height: number;
  ids: Int32Array | Uint32Array;
  segments: readonly PqSegment[];
}

export interface PqCategory {
  id: number;
  isThing: boolean;
  name?: string;
}

export interface PqClassResult {
  categoryId: number;
  name?: string;
  isThing: boolean;
  pq: number;
  sq: number;
  rq: number;
  tp: number;
  fp: number;
  fn: number;
  iou: number;
}

export interface PqSummary {
  pq: number;
  sq: number;
  rq: number;
  /** Categories averaged (those with TP + FP + FN > 0). */
  n: number;
}

export interface PqResult {
  all: PqSummary;
  things: PqSummary;
  stuff: PqSummary;
  /** Categories with TP + FP + FN > 0, in category order. */
  perClass: PqClassResult[];
  images: number;
}

interface Stat {
  tp: number;
  fp: number;
  fn: number;
  iou: number;
}

/** Accumulates PQ statistics image by image (panopticapi's PQStat). */
export class PqAccumulator {
  private readonly stats = new Map<number, Stat>();
  private readonly categories: Map<number, PqCategory>;
  private images = 0;

  constructor(categories: readonly PqCategory[]) {
    if (categories.length === 0) throw new ConfigError('categories', categories, 'expected at least one category');
    this.categories = new Map(categories.map((c) => [c.id, c]));
    for (const c of categories) this.stats.set(c.id, { tp: 0, fp: 0, fn: 0, iou: 0 });
  }

  /** Adds one image pair. `imageId` only labels errors. */
  add(gt: PanopticImage, pred: PanopticImage, imageId: string | number = this.images): void {
    if (gt.width !== pred.width || gt.height !== pred.height)
      throw new ConfigError(`prediction[${imageId}].size`, `${pred.width}×${pred.height}`, `expected the GT size ${gt.width}×${gt.height}`);
    const P = gt.width * gt.height;
    if (gt.ids.length !== P) throw new ConfigError(`gt[${imageId}].ids`, `length ${gt.ids.length}`, `expected ${P}`);
    if (pred.ids.length !== P) throw new ConfigError(`prediction[${imageId}].ids`, `length ${pred.ids.length}`, `expected ${P}`);
    const gtIndex = new Map<number, number>([[0, 0]]);
    gt.segments.forEach((s) => {
      if (s.id === 0) throw new ConfigError(`gt[${imageId}].segments.id`, 0, 'id 0 is VOID');
      gtIndex.set(s.id, gtIndex.size);
    });
    const nGtListed = gtIndex.size;
    const predIndex = new Map<number, number>([[0, 0]]);
    pred.segments.forEach((s) => {
      if (s.id === 0) throw new ConfigError(`prediction[${imageId}].segments.id`, 0, 'id 0 is VOID');
      if (!this.categories.has(s.categoryId))
        throw new ConfigError(`prediction[${imageId}].segments[id=${s.id}].categoryId`, s.categoryId, 'unknown category');
      predIndex.set(s.id, predIndex.size);
    });
    const nPred = predIndex.size;
    // Unlisted GT ids get their own rows (neither void nor segments); unlisted prediction ids are errors.
    const unknownGt: number[] = [];
    const gtRow = new Int32Array(P);
    const predCol = new Int32Array(P);
    let lastG = -1, lastGi = 0, lastP = -1, lastPi = 0;
    for (let i = 0; i < P; i++) {
      const g = gt.ids[i]!;
      if (g !== lastG) {
        let gi = gtIndex.get(g);
        if (gi === undefined) {
          gi = gtIndex.size;
          gtIndex.set(g, gi);
          unknownGt.push(g);
        }
        lastG = g;
        lastGi = gi;
      }
      gtRow[i] = lastGi;
      const p = pred.ids[i]!;
      if (p !== lastP) {
        const pi = predIndex.get(p);
        if (pi === undefined)
          throw new ConfigError(`prediction[${imageId}].ids`, p, 'segment id present in the id map but not in segments');
        lastP = p;
        lastPi = pi;
      }
      predCol[i] = lastPi;
    }
    const nGt = gtIndex.size;
    const inter = new Float64Array(nGt * nPred);
    for (let i = 0; i < P; i++) inter[gtRow[i]! * nPred + predCol[i]!]++;
    const predArea = new Float64Array(nPred);
    const gtCount = new Float64Array(nGt);
    for (let g = 0; g < nGt; g++) for (let p = 0; p < nPred; p++) {
      predArea[p] += inter[g * nPred + p]!;
      gtCount[g] += inter[g * nPred + p]!;
    }
    pred.segments.forEach((s, j) => {
      if (predArea[j + 1] === 0) throw new ConfigError(`prediction[${imageId}].segments[id=${s.id}]`, s.id, 'segment listed but absent from the id map');
    });

    const gtMatched = new Uint8Array(nGtListed);
    const predMatched = new Uint8Array(nPred);
    for (let gi = 1; gi < nGtListed; gi++) {
      const g = gt.segments[gi - 1]!;
      if (g.isCrowd) continue;
      const gArea = g.area ?? gtCount[gi]!;
      for (let pj = 1; pj < nPred; pj++) {
        const it = inter[gi * nPred + pj]!;
        if (it === 0) continue;
        const p = pred.segments[pj - 1]!;
        if (p.categoryId !== g.categoryId) continue;
        const union = predArea[pj]! + gArea - it - inter[pj]!; // inter[0·nPred + pj] = pred ∩ void
        const iou = it / union;
        if (iou > 0.5) {
          const st = this.stat(g.categoryId, `gt[${imageId}].segments[id=${g.id}].categoryId`);
          st.tp++;
          st.iou += iou;
          gtMatched[gi] = 1;
          predMatched[pj] = 1;
        }
      }
    }
    const crowdOfCategory = new Map<number, number>();
    for (let gi = 1; gi < nGtListed; gi++) {
      if (gtMatched[gi]) continue;
      const g = gt.segments[gi - 1]!;
      if (g.isCrowd) {
        crowdOfCategory.set(g.categoryId, gi); // panopticapi keeps the last crowd segment per category
        continue;
      }
      this.stat(g.categoryId, `gt[${imageId}].segments[id=${g.id}].categoryId`).fn++;
    }
    for (let pj = 1; pj < nPred; pj++) {
      if (predMatched[pj]) continue;
      const p = pred.segments[pj - 1]!;
      let ignored = inter[pj]!;
      const crowd = crowdOfCategory.get(p.categoryId);
      if (crowd !== undefined) ignored += inter[crowd * nPred + pj]!;
      if (ignored / predArea[pj]! > 0.5) continue;
      this.stat(p.categoryId, '').fp++;
    }
    this.images++;
  }

  private stat(categoryId: number, field: string): Stat {
    const s = this.stats.get(categoryId);
    if (!s) throw new ConfigError(field, categoryId, 'unknown category');
    return s;
  }

  result(): PqResult {
    const perClass: PqClassResult[] = [];
    for (const [id, cat] of this.categories) {
      const s = this.stats.get(id)!;
      const denom = s.tp + 0.5 * s.fp + 0.5 * s.fn;
      if (s.tp + s.fp + s.fn === 0) continue;
      perClass.push({
        categoryId: id,
        ...(cat.name !== undefined ? { name: cat.name } : {}),
        isThing: cat.isThing,
        pq: s.iou / denom,
        sq: s.tp ? s.iou / s.tp : 0,
        rq: s.tp / denom,
        tp: s.tp,
        fp: s.fp,
        fn: s.fn,
        iou: s.iou,
      });
    }
    const avg = (sel: (c: PqClassResult) => boolean): PqSummary => {
      const cs = perClass.filter(sel);
      const n = cs.length;
      const sum = (k: 'pq' | 'sq' | 'rq'): number => cs.reduce((a, c) => a + c[k], 0);
      return n ? { pq: sum('pq') / n, sq: sum('sq') / n, rq: sum('rq') / n, n } : { pq: 0, sq: 0, rq: 0, n: 0 };
    };
    return { all: avg(() => true), things: avg((c) => c.isThing), stuff: avg((c) => !c.isThing), perClass, images: this.images };
  }
}

/** PQ over image pairs (same order) in one call. */
export function evaluatePq(pairs: readonly { gt: PanopticImage; pred: PanopticImage; imageId?: string | number }[], categories: readonly PqCategory[]): PqResult {
  const acc = new PqAccumulator(categories);
  pairs.forEach((p, i) => acc.add(p.gt, p.pred, p.imageId ?? i));
  return acc.result();
}

/** panopticapi-style table (values ×100), optionally followed by the per-class rows. */
export function formatPqTable(r: PqResult, opts: { perClass?: boolean } = {}): string {
  const f = (v: number): string => (100 * v).toFixed(1).padStart(6);
  const lines = [`${''.padEnd(10)}|     PQ |     SQ |     RQ |  N`, '-'.repeat(40)];
  for (const [name, s] of [['All', r.all], ['Things', r.things], ['Stuff', r.stuff]] as const)
    lines.push(`${name.padEnd(10)}| ${f(s.pq)} | ${f(s.sq)} | ${f(s.rq)} | ${String(s.n).padStart(3)}`);
  if (opts.perClass) {
    lines.push('', `${'category'.padEnd(24)}| T/S |     PQ |     SQ |     RQ |  TP |  FP |  FN`);
    for (const c of r.perClass)
      lines.push(`${`${c.categoryId} ${c.name ?? ''}`.slice(0, 24).padEnd(24)}|  ${c.isThing ? 'T' : 'S'}  | ${f(c.pq)} | ${f(c.sq)} | ${f(c.rq)} | ${String(c.tp).padStart(3)} | ${String(c.fp).padStart(3)} | ${String(c.fn).padStart(3)}`);
  }
  return lines.join('\n');
}
