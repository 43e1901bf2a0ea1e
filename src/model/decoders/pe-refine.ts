/**
 * Refinement stage of the generalist PE-centroid decoder (mode 'refined', see `generalist-pe.ts`), run
 * after the paper's vote and first assignment:
 * 1. each candidate's embedding becomes the mean predicted PE of its assigned pixels;
 * 2. a candidate whose pixels form two separated modes is split: 2-means in PE space (seeded with the
 *    pixel farthest from the mean and the pixel farthest from that one), accepted when the sub-means are
 *    ≥ `splitRatio`× (a) the residual standard deviation along the line joining them and (b) the distance
 *    2-means halves of pure noise would have, σ̂·√(4L·(1/n1 + 1/n2) + 2.56) (σ̂: {@link noiseVariance};
 *    2.56 = (2·0.8)², the halves of a Gaussian lie ±0.8σ apart along the split direction), with both
 *    halves ≥ `splitMinArea` pixels; accepted halves are tested again (3 merged instances need 2 splits);
 * 3. every voter is re-assigned to the nearest candidate embedding (separable distance, void ≥ τ).
 * Centres are stored [K × 4L] (u block, then v block) in float64.
 */
import { Scratch } from './semantic.js';

/** ‖x‖² + ‖μ‖² − 2x·μ → distance; NaN → ∞. */
function dist(d2: number): number {
  return d2 > 0 ? Math.sqrt(d2) : d2 === d2 ? 0 : Infinity;
}

/**
 * Nearest centre (separable distance ‖x̂ − μx‖ + ‖ŷ − μy‖) of each voter if < tau, else −1; writes the
 * assignment and the distance. Voter blocks are gathered voter-major ([count × 2L]).
 */
export function assignNearest(
  x: Float32Array, xn2: Float32Array, y: Float32Array, yn2: Float32Array, count: number, twoL: number,
  centres: Float64Array, K: number, tau: number, assign: Int32Array, distOut: Float32Array,
): void {
  const fourL = 2 * twoL;
  const cn = new Float64Array(2 * K);
  for (let k = 0; k < K; k++) {
    let sx = 0, sy = 0;
    for (let c = 0; c < twoL; c++) {
      sx += centres[k * fourL + c]! ** 2;
      sy += centres[k * fourL + twoL + c]! ** 2;
    }
    cn[2 * k] = sx;
    cn[2 * k + 1] = sy;
  }
  for (let j = 0, o = 0; j < count; j++, o += twoL) {
    let best = -1, bestD = tau;
    const nx = xn2[j]!, ny = yn2[j]!;
    for (let k = 0, q = 0; k < K; k++, q += fourL) {
      let dx = 0;
      for (let c = 0; c < twoL; c++) dx += x[o + c]! * centres[q + c]!;
      const du = dist(nx + cn[2 * k]! - 2 * dx);
      if (!(du < bestD)) continue; // the u block alone is already too far: skip the v block
      let dy = 0;
      for (let c = 0; c < twoL; c++) dy += y[o + c]! * centres[q + twoL + c]!;
      const d = du + dist(ny + cn[2 * k + 1]! - 2 * dy);
      if (d < bestD) {
        bestD = d;
        best = k;
      }
    }
    assign[j] = best;
    distOut[j] = bestD;
  }
}

/** Mean embedding of each centre's voters ([K × 4L]) and their counts. */
export function clusterMeans(x: Float32Array, y: Float32Array, count: number, twoL: number, assign: Int32Array, K: number): { means: Float64Array; sizes: Int32Array } {
  const fourL = 2 * twoL;
  const means = new Float64Array(K * fourL);
  const sizes = new Int32Array(K);
  for (let j = 0, o = 0; j < count; j++, o += twoL) {
    const k = assign[j]!;
    if (k < 0) continue;
    sizes[k]++;
    const q = k * fourL;
    for (let c = 0; c < twoL; c++) {
      means[q + c] += x[o + c]!;
      means[q + twoL + c] += y[o + c]!;
    }
  }
  for (let k = 0; k < K; k++) if (sizes[k]! > 0) for (let c = 0; c < fourL; c++) means[k * fourL + c]! /= sizes[k]!;
  return { means, sizes };
}

export interface SplitOptions {
  /** Minimum separation of the two sub-means in residual standard deviations. */
  splitRatio: number;
  /** Minimum pixels of each half. */
  splitMinArea: number;
  /** Upper bound on the number of centres after splitting. */
  maxCentres: number;
}

const sDev = new Scratch((n) => new Float32Array(n));

/**
 * Robust per-channel noise variance of the voters around their candidates' means: the median squared
 * deviation ‖p − μ‖² over assigned voters divided by the median of a χ² with 4L degrees of freedom (a
 * minority of multi-modal candidates does not move it); 0 on noiseless embeddings.
 */
export function noiseVariance(x: Float32Array, y: Float32Array, count: number, twoL: number, assign: Int32Array, means: Float64Array): number {
  const fourL = 2 * twoL;
  const dev = sDev.get(count);
  let n = 0;
  for (let j = 0, o = 0; j < count; j++, o += twoL) {
    const k = assign[j]!;
    if (k < 0) continue;
    let d = 0;
    for (let c = 0; c < twoL; c++) d += (x[o + c]! - means[k * fourL + c]!) ** 2 + (y[o + c]! - means[k * fourL + twoL + c]!) ** 2;
    dev[n++] = d;
  }
  if (n === 0) return 0;
  const sorted = dev.subarray(0, n).sort();
  return sorted[n >> 1]! / (fourL * (1 - 2 / (9 * fourL)) ** 3);
}

const sMembers = new Scratch((n) => new Int32Array(n));
const sSide = new Scratch((n) => new Int32Array(n));

/**
 * Splits multi-modal clusters (step 2). `assign` is updated in place (new centres get the next indices);
 * returns the centres (old ones with their means, then the new ones) and their count.
 */
export function splitModes(x: Float32Array, y: Float32Array, count: number, twoL: number, assign: Int32Array, K: number, opts: SplitOptions): { centres: Float64Array; K: number } {
  const fourL = 2 * twoL;
  const pixel = (j: number, c: number): number => (c < twoL ? x[j * twoL + c]! : y[j * twoL + c - twoL]!);
  let { means } = clusterMeans(x, y, count, twoL, assign, K);
  const noise2 = noiseVariance(x, y, count, twoL, assign, means);
  const members = sMembers.get(count);
  const side = sSide.get(count);
  const queue: number[] = [];
  for (let k = 0; k < K; k++) queue.push(k);
  let total = K;
  const m1 = new Float64Array(fourL), m2 = new Float64Array(fourL);
  while (queue.length > 0 && total < opts.maxCentres) {
    const k = queue.shift()!;
    let m = 0;
    for (let j = 0; j < count; j++) if (assign[j] === k) members[m++] = j;
    if (m < 2 * opts.splitMinArea || m < 2) continue;
    // Seeds: farthest from the mean, then farthest from that one.
    const far = (ref: (c: number) => number): [number, number] => {
      let bj = -1, bd = 0;
      for (let t = 0; t < m; t++) {
        const j = members[t]!;
        let d = 0;
        for (let c = 0; c < fourL; c++) d += (pixel(j, c) - ref(c)) ** 2;
        if (d > bd) {
          bd = d;
          bj = j;
        }
      }
      return [bj, bd];
    };
    const [s1, d1] = far((c) => means[k * fourL + c]!);
    if (s1 < 0 || d1 < 1e-8) continue;
    const [s2] = far((c) => pixel(s1, c));
    for (let c = 0; c < fourL; c++) {
      m1[c] = pixel(s1, c);
      m2[c] = pixel(s2, c);
    }
    let n1 = 0, n2 = 0;
    for (let it = 0; it < 20; it++) {
      let changed = 0;
      for (let t = 0; t < m; t++) {
        const j = members[t]!;
        let e1 = 0, e2 = 0;
        for (let c = 0; c < fourL; c++) {
          const p = pixel(j, c);
          e1 += (p - m1[c]!) ** 2;
          e2 += (p - m2[c]!) ** 2;
        }
        const sd = e2 < e1 ? 1 : 0;
        if (it === 0 || side[t] !== sd) changed++;
        side[t] = sd;
      }
      m1.fill(0);
      m2.fill(0);
      n1 = 0;
      n2 = 0;
      for (let t = 0; t < m; t++) {
        const j = members[t]!, mm = side[t] ? m2 : m1;
        if (side[t]) n2++;
        else n1++;
        for (let c = 0; c < fourL; c++) mm[c] += pixel(j, c);
      }
      if (n1 === 0 || n2 === 0) break;
      for (let c = 0; c < fourL; c++) {
        m1[c]! /= n1;
        m2[c]! /= n2;
      }
      if (changed === 0) break;
    }
    if (n1 < opts.splitMinArea || n2 < opts.splitMinArea || n1 === 0 || n2 === 0) continue;
    // Separation along the line joining the sub-means vs the residual spread along it.
    let delta2 = 0;
    for (let c = 0; c < fourL; c++) delta2 += (m1[c]! - m2[c]!) ** 2;
    const delta = Math.sqrt(delta2);
    let r2 = 0;
    for (let t = 0; t < m; t++) {
      const j = members[t]!, mm = side[t] ? m2 : m1;
      let proj = 0;
      for (let c = 0; c < fourL; c++) proj += (pixel(j, c) - mm[c]!) * (m1[c]! - m2[c]!);
      r2 += (proj / delta) ** 2;
    }
    const sd = Math.sqrt(r2 / m);
    // Under noise alone (per-channel variance σ²), 2-means halves lie ‖μ1−μ2‖² ≈ σ²·(4L·(1/n1+1/n2) + 2.56) apart.
    const null2 = noise2 * (fourL * (1 / n1 + 1 / n2) + 2.56);
    if (!(delta >= opts.splitRatio * sd) || !(delta2 >= opts.splitRatio ** 2 * null2) || delta < 1e-4) continue;
    // Accept: half 2 becomes a new centre.
    const grown = new Float64Array((total + 1) * fourL);
    grown.set(means.subarray(0, total * fourL));
    grown.set(m1, k * fourL);
    grown.set(m2, total * fourL);
    means = grown;
    for (let t = 0; t < m; t++) if (side[t]) assign[members[t]!] = total;
    queue.push(k, total);
    total++;
  }
  // Candidates without pixels (side lobes of the vote, emptied candidates) have no mean: dropped.
  const { sizes } = clusterMeans(x, y, count, twoL, assign, total);
  let kept = 0;
  for (let k = 0; k < total; k++) {
    if (sizes[k] === 0) continue;
    means.copyWithin(kept * fourL, k * fourL, (k + 1) * fourL);
    kept++;
  }
  return { centres: means, K: kept };
}
