/**
 * Monocular depth error metrics over the valid ground-truth pixels: AbsRel = mean |d − g| / g and
 * δ<1.25 = share of pixels with max(d/g, g/d) < 1.25 (Eigen et al.). Relative predictions are
 * aligned per image first: `median` scales distances by median(g)/median(d) (the usual protocol
 * for scale-ambiguous depth); `inverse-scale-shift` fits s, t by least squares in inverse-depth
 * space, d = 1 / (s·p + t) (the MiDaS / Depth-Anything protocol for relative inverse depth).
 */

export type DepthAlignment = 'none' | 'median' | 'inverse-scale-shift';

export interface DepthMetricOptions {
  /** Ground truth below this (in its unit) is invalid. Default 1e-3. */
  minDepth?: number;
  /** Ground truth above this is ignored and predictions are clamped to [minDepth, maxDepth]. Default 80. */
  maxDepth?: number;
  /** Per-image alignment of the prediction. Default `none`. */
  align?: DepthAlignment;
}

export interface DepthMetrics {
  readonly absRel: number;
  readonly delta1: number;
  /** Root mean squared error in the ground truth's unit. */
  readonly rmse: number;
  /** Valid pixels compared. */
  readonly count: number;
  /** Median-alignment factor applied (1 unless `align: 'median'`). */
  readonly scale: number;
}

function median(values: Float64Array): number {
  const v = values.slice().sort();
  const m = v.length >> 1;
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

/** Compares `pred` with `gt` (same length, same pixel order). Throws when no pixel is valid. */
export function depthMetrics(pred: ArrayLike<number>, gt: ArrayLike<number>, opts: DepthMetricOptions = {}): DepthMetrics {
  if (pred.length !== gt.length) throw new RangeError(`prediction has ${pred.length} values, ground truth ${gt.length}`);
  const lo = opts.minDepth ?? 1e-3;
  const hi = opts.maxDepth ?? 80;
  const align = opts.align ?? 'none';
  const idx: number[] = [];
  for (let i = 0; i < gt.length; i++) {
    const g = gt[i]!;
    if (g > lo && g < hi && Number.isFinite(pred[i]!)) idx.push(i);
  }
  if (idx.length === 0) throw new RangeError('no valid ground-truth pixel');
  const p = new Float64Array(idx.length);
  const g = new Float64Array(idx.length);
  idx.forEach((k, j) => {
    p[j] = pred[k]!;
    g[j] = gt[k]!;
  });
  let scale = 1;
  if (align === 'median') {
    scale = median(g) / median(p);
    for (let j = 0; j < p.length; j++) p[j]! *= scale;
  } else if (align === 'inverse-scale-shift') {
    // Least squares of s·p + t ≈ 1/g.
    let sp = 0, sq = 0, sy = 0, spy = 0;
    for (let j = 0; j < p.length; j++) {
      const y = 1 / g[j]!;
      sp += p[j]!;
      sq += p[j]! * p[j]!;
      sy += y;
      spy += p[j]! * y;
    }
    const n = p.length;
    const det = n * sq - sp * sp;
    const s = det !== 0 ? (n * spy - sp * sy) / det : 0;
    const t = (sy - s * sp) / n;
    for (let j = 0; j < p.length; j++) {
      const inv = s * p[j]! + t;
      p[j] = inv > 1 / hi ? 1 / inv : hi;
    }
  }
  let absRel = 0;
  let within = 0;
  let se = 0;
  for (let j = 0; j < p.length; j++) {
    const d = Math.min(hi, Math.max(lo, p[j]!));
    const t = g[j]!;
    absRel += Math.abs(d - t) / t;
    se += (d - t) * (d - t);
    if (Math.max(d / t, t / d) < 1.25) within++;
  }
  return { absRel: absRel / p.length, delta1: within / p.length, rmse: Math.sqrt(se / p.length), count: p.length, scale };
}
