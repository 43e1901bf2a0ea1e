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

const sCn = new Scratch((n) => new Float64Array(n));
const sCr = new Scratch((n) => new Float64Array(n));
const sPair = new Scratch((n) => new Float64Array(n));
const sOrder = new Scratch((n) => new Int32Array(n));

/**
 * Nearest centre (separable distance ‖x̂ − μx‖ + ‖ŷ − μy‖) of each voter if < tau, else −1 (ties → lower
 * centre index); writes the assignment and the distance. Voter blocks are gathered voter-major ([count × 2L]).
 *
 * Exact pruning with the triangle inequality (Elkan-style): each voter is first measured against a reference
 * centre r (the previous voter's centre: neighbouring pixels mostly share an instance), then the other
 * centres are visited by increasing ‖μr − μk‖ (u block + v block); centre k cannot beat the best distance
 * when max(0, cu(r,k) − du_r) + max(0, cv(r,k) − dv_r) exceeds it (with a margin covering the rounding of
 * the ‖x‖² + ‖μ‖² − 2x·μ form), and once cu + cv − d_r does, no later centre can either. Distances that
 * are computed use the same arithmetic as a full scan, so the result is identical to it.
 */
export function assignNearest(
  x: Float32Array, xn2: Float32Array, y: Float32Array, yn2: Float32Array, count: number, twoL: number,
  centres: Float64Array, K: number, tau: number, assign: Int32Array, distOut: Float32Array,
): void {
  const fourL = 2 * twoL;
  const cn = sCn.get(2 * K), cr = sCr.get(2 * K);
  let maxCn = 0;
  for (let k = 0; k < K; k++) {
    let sx = 0, sy = 0;
    for (let c = 0; c < twoL; c++) {
      sx += centres[k * fourL + c]! ** 2;
      sy += centres[k * fourL + twoL + c]! ** 2;
    }
    cn[2 * k] = sx;
    cn[2 * k + 1] = sy;
    cr[2 * k] = Math.sqrt(sx);
    cr[2 * k + 1] = Math.sqrt(sy);
    maxCn = Math.max(maxCn, sx, sy);
  }
  // Pairwise block distances (cu, cv, cu + cv) and, per reference, the centres by increasing cu + cv.
  const pair = sPair.get(3 * K * K), order = sOrder.get(K * K);
  for (let r = 0; r < K; r++) {
    for (let k = 0; k < K; k++) {
      let su = 0, sv = 0;
      for (let c = 0; c < twoL; c++) {
        su += (centres[r * fourL + c]! - centres[k * fourL + c]!) ** 2;
        sv += (centres[r * fourL + twoL + c]! - centres[k * fourL + twoL + c]!) ** 2;
      }
      const q = 3 * (r * K + k);
      pair[q] = Math.sqrt(su);
      pair[q + 1] = Math.sqrt(sv);
      pair[q + 2] = pair[q]! + pair[q + 1]!;
    }
    const row = order.subarray(r * K, (r + 1) * K);
    for (let k = 0; k < K; k++) row[k] = k;
    row.sort((a, b) => pair[3 * (r * K + a) + 2]! - pair[3 * (r * K + b) + 2]! || a - b);
  }
  let ref = 0;
  for (let j = 0, o = 0; j < count; j++, o += twoL) {
    const nx = xn2[j]!, ny = yn2[j]!;
    // Bound on the rounding of a computed block distance (|d̃² − d²| ≤ ~1e-7·(‖x‖² + ‖μ‖²), float32 norms).
    const m = Math.sqrt(1e-6 * (1 + nx + ny + maxCn));
    const rx = Math.sqrt(nx), ry = Math.sqrt(ny);
    let best = -1, bestD = tau;
    let du0 = Infinity, dv0 = Infinity;
    if (K > 0) {
      const q = ref * fourL;
      let dx = 0;
      for (let c = 0; c < twoL; c++) dx += x[o + c]! * centres[q + c]!;
      du0 = dist(nx + cn[2 * ref]! - 2 * dx);
      let dy = 0;
      for (let c = 0; c < twoL; c++) dy += y[o + c]! * centres[q + twoL + c]!;
      dv0 = dist(ny + cn[2 * ref + 1]! - 2 * dy);
      const d = du0 + dv0;
      if (d < bestD) {
        bestD = d;
        best = ref;
      }
    }
    const d0 = du0 + dv0;
    const row = ref * K;
    for (let i = 1; i < K; i++) {
      const k = order[row + i]!;
      const pq = 3 * (row + k);
      if (pair[pq + 2]! - d0 - 2 * m > bestD + 2 * m) break; // no later centre can be nearer either (d0 = ∞: never)
      // Per block: triangle inequality through r, and |‖x‖ − ‖μk‖| (prunes void, e.g. zero, embeddings).
      const lbu = Math.max(pair[pq]! - du0, Math.abs(rx - cr[2 * k]!)) - m;
      const lbv = Math.max(pair[pq + 1]! - dv0, Math.abs(ry - cr[2 * k + 1]!)) - m;
      const lb = (lbu > 0 ? lbu : 0) + (lbv > 0 ? lbv : 0);
      if (lb > bestD + 2 * m) continue;
      (globalThis as unknown as {EV:number}).EV++;
      const q = k * fourL;
      let dx = 0;
      for (let c = 0; c < twoL; c++) dx += x[o + c]! * centres[q + c]!;
      const du = dist(nx + cn[2 * k]! - 2 * dx);
      if (du > bestD || (du === bestD && k > best)) continue; // the u block alone is already too far
      let dy = 0;
      for (let c = 0; c < twoL; c++) dy += y[o + c]! * centres[q + twoL + c]!;
      const d = du + dist(ny + cn[2 * k + 1]! - 2 * dy);
      if (d < bestD || (d === bestD && best >= 0 && k < best)) {
        bestD = d;
        best = k;
      }
    }
    assign[j] = best;
    distOut[j] = bestD;
    if (best >= 0) ref = best;
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

/**
 * Memo of rejected split tests across rounds: a cluster whose member set is unchanged gives the same 2-means
 * (seeds, iterations and sums depend only on the ordered set), so only the acceptance test against the
 * round's noise estimate is re-evaluated. Create one per decode with {@link createSplitCache}.
 */
export interface SplitCache {
  /** Per voter: the last tested set that contained it (−1: none). */
  lastEntry: Int32Array;
  /** Per tested set: size, and the 2-means statistics (n1, n2, δ², residual sd; NaN n1 = never splits). */
  entries: number[];
}

export function createSplitCache(count: number): SplitCache {
  return { lastEntry: new Int32Array(count).fill(-1), entries: [] };
}

/** Whether the ordered member set equals a memoised one; returns its entry offset or −1. */
function cachedEntry(cache: SplitCache, members: Int32Array, s0: number, m: number): number {
  const e = cache.lastEntry[members[s0]!]!;
  if (e < 0 || cache.entries[e] !== m) return -1;
  for (let t = 1; t < m; t++) if (cache.lastEntry[members[s0 + t]!] !== e) return -1;
  return e;
}

function remember(cache: SplitCache, members: Int32Array, s0: number, m: number, n1: number, n2: number, delta2: number, sd: number): void {
  const e = cache.entries.length;
  cache.entries.push(m, n1, n2, delta2, sd);
  for (let t = 0; t < m; t++) cache.lastEntry[members[s0 + t]!] = e;
}

/**
 * The split test: sub-means ≥ splitRatio × the residual sd along their line apart, and ≥ splitRatio × what
 * 2-means halves of pure noise give: under noise alone (per-channel variance σ²) they lie
 * ‖μ1−μ2‖² ≈ σ²·(4L·(1/n1+1/n2) + 2.56) apart.
 */
function acceptSplit(n1: number, n2: number, delta2: number, sd: number, noise2: number, fourL: number, opts: SplitOptions): boolean {
  const delta = Math.sqrt(delta2);
  const null2 = noise2 * (fourL * (1 / n1 + 1 / n2) + 2.56);
  return delta >= opts.splitRatio * sd && delta2 >= opts.splitRatio ** 2 * null2 && !(delta < 1e-4);
}

const sMembers = new Scratch((n) => new Int32Array(n));
const sSide = new Scratch((n) => new Int32Array(n));
const sRows = new Scratch((n) => new Float64Array(n));
const sTmp = new Scratch((n) => new Int32Array(n));

/**
 * Splits multi-modal clusters (step 2). `assign` is updated in place (new centres get the next indices);
 * returns the centres (old ones with their means, then the new ones) and their count.
 * Member lists are built once (counting sort, ascending voter index) and split in place; each tested
 * cluster's embeddings are copied into one contiguous [m × 4L] float64 block for the 2-means.
 */
export function splitModes(
  x: Float32Array, y: Float32Array, count: number, twoL: number, assign: Int32Array, K: number, opts: SplitOptions, cache?: SplitCache,
): { centres: Float64Array; K: number } {
  const fourL = 2 * twoL;
  let { means } = clusterMeans(x, y, count, twoL, assign, K);
  const noise2 = noiseVariance(x, y, count, twoL, assign, means);
  // Member lists: cluster k's voters are members[start[k] .. start[k] + size[k]), ascending.
  const cap = Math.max(K, Math.min(opts.maxCentres, K + count));
  let start = new Int32Array(cap), size = new Int32Array(cap);
  for (let j = 0; j < count; j++) if (assign[j]! >= 0) size[assign[j]!]++;
  for (let k = 1; k < K; k++) start[k] = start[k - 1]! + size[k - 1]!;
  const members = sMembers.get(count);
  {
    const fill = sTmp.get(K);
    for (let k = 0; k < K; k++) fill[k] = start[k]!;
    for (let j = 0; j < count; j++) if (assign[j]! >= 0) members[fill[assign[j]!]!++] = j;
  }
  const side = sSide.get(count);
  const queue: number[] = [];
  for (let k = 0; k < K; k++) queue.push(k);
  let head = 0;
  let total = K;
  const m1 = new Float64Array(fourL), m2 = new Float64Array(fourL);
  while (head < queue.length && total < opts.maxCentres) {
    const k = queue[head++]!;
    const m = size[k]!, s0 = start[k]!;
    if (m < 2 * opts.splitMinArea || m < 2) continue;
    const e = cache ? cachedEntry(cache, members, s0, m) : -1;
    if (e >= 0) {
      // Same set as a rejected test before: re-test only against this round's noise estimate.
      const [c1, c2, cd2, csd] = [cache!.entries[e + 1]!, cache!.entries[e + 2]!, cache!.entries[e + 3]!, cache!.entries[e + 4]!];
      if (c1 !== c1 || !acceptSplit(c1, c2, cd2, csd, noise2, fourL, opts)) continue;
    }
    const rows = sRows.get(m * fourL);
    for (let t = 0, o = 0; t < m; t++, o += fourL) {
      const j = members[s0 + t]!, p = j * twoL;
      for (let c = 0; c < twoL; c++) {
        rows[o + c] = x[p + c]!;
        rows[o + twoL + c] = y[p + c]!;
      }
    }
    // Seeds: farthest from the mean, then farthest from that one.
    let s1 = -1, d1 = 0;
    for (let t = 0, o = 0, q = k * fourL; t < m; t++, o += fourL) {
      let d = 0;
      for (let c = 0; c < fourL; c++) d += (rows[o + c]! - means[q + c]!) ** 2;
      if (d > d1) {
        d1 = d;
        s1 = t;
      }
    }
    if (s1 < 0 || d1 < 1e-8) {
      if (cache) remember(cache, members, s0, m, Number.NaN, 0, 0, 0);
      continue;
    }
    let s2 = -1, d2 = 0;
    for (let t = 0, o = 0, q = s1 * fourL; t < m; t++, o += fourL) {
      let d = 0;
      for (let c = 0; c < fourL; c++) d += (rows[o + c]! - rows[q + c]!) ** 2;
      if (d > d2) {
        d2 = d;
        s2 = t;
      }
    }
    for (let c = 0; c < fourL; c++) {
      m1[c] = rows[s1 * fourL + c]!;
      m2[c] = s2 < 0 ? Number.NaN : rows[s2 * fourL + c]!;
    }
    let n1 = 0, n2 = 0;
    for (let it = 0; it < 20; it++) {
      let changed = 0;
      for (let t = 0, o = 0; t < m; t++, o += fourL) {
        let e1 = 0, e2 = 0;
        for (let c = 0; c < fourL; c++) {
          const p = rows[o + c]!;
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
      for (let t = 0, o = 0; t < m; t++, o += fourL) {
        const mm = side[t] ? m2 : m1;
        if (side[t]) n2++;
        else n1++;
        for (let c = 0; c < fourL; c++) mm[c] += rows[o + c]!;
      }
      if (n1 === 0 || n2 === 0) break;
      for (let c = 0; c < fourL; c++) {
        m1[c]! /= n1;
        m2[c]! /= n2;
      }
      if (changed === 0) break;
    }
    if (n1 < opts.splitMinArea || n2 < opts.splitMinArea || n1 === 0 || n2 === 0) {
      if (cache) remember(cache, members, s0, m, Number.NaN, 0, 0, 0);
      continue;
    }
    // Separation along the line joining the sub-means vs the residual spread along it.
    let delta2 = 0;
    for (let c = 0; c < fourL; c++) delta2 += (m1[c]! - m2[c]!) ** 2;
    const delta = Math.sqrt(delta2);
    let r2 = 0;
    for (let t = 0, o = 0; t < m; t++, o += fourL) {
      const mm = side[t] ? m2 : m1;
      let proj = 0;
      for (let c = 0; c < fourL; c++) proj += (rows[o + c]! - mm[c]!) * (m1[c]! - m2[c]!);
      r2 += (proj / delta) ** 2;
    }
    const sd = Math.sqrt(r2 / m);
    if (!acceptSplit(n1, n2, delta2, sd, noise2, fourL, opts)) {
      if (cache) remember(cache, members, s0, m, n1, n2, delta2, sd);
      continue;
    }
    // Accept: half 2 becomes a new centre; k keeps half 1 (member lists split stably in place).
    const grown = new Float64Array((total + 1) * fourL);
    grown.set(means.subarray(0, total * fourL));
    grown.set(m1, k * fourL);
    grown.set(m2, total * fourL);
    means = grown;
    if (total >= start.length) {
      const ns = new Int32Array(2 * start.length), nz = new Int32Array(2 * start.length);
      ns.set(start);
      nz.set(size);
      start = ns;
      size = nz;
    }
    const tmp = sTmp.get(m);
    let a = 0, b = 0;
    for (let t = 0; t < m; t++) {
      const j = members[s0 + t]!;
      if (side[t]) {
        tmp[b++] = j;
        assign[j] = total;
      } else members[s0 + a++] = j;
    }
    for (let t = 0; t < b; t++) members[s0 + a + t] = tmp[t]!;
    size[k] = a;
    start[total] = s0 + a;
    size[total] = b;
    queue.push(k, total);
    total++;
  }
  // Candidates without pixels (side lobes of the vote, emptied candidates) have no mean: dropped.
  let kept = 0;
  for (let k = 0; k < total; k++) {
    if (size[k] === 0) continue;
    means.copyWithin(kept * fourL, k * fourL, (k + 1) * fourL);
    kept++;
  }
  return { centres: means, K: kept };
}
