/**
 * Decoder of the generalist PE-centroid family (Prisadnikov et al., arXiv 2408.16504): semantic logits
 * [C,h,w] + per-pixel spectral embedding of the instance centroid [4L,h,w] (γ(u)⊕γ(v), layout of
 * `../pe.ts`) + optional depth [h,w] → panoptic ids and segments.
 *
 * 1. Bin palette a_i = −1 + 2i/(n+1), i = 1…n, with embeddings γ(a_i) (same palette for u and v).
 * 2. Thing pixels only (semantic argmax is a thing class) vote: per pixel and bin, the separable
 *    distances D_x[p,a] = ‖x̂_p − γ(a)‖, D_y[p,b] = ‖ŷ_p − γ(b)‖ and E = exp(−D).
 * 3. Histogram H = E_xᵀ·E_y (n×n, a = u bin, b = v bin), a blocked outer-product loop.
 * 4. Candidates: strict 8-neighbour local maxima of H with H > peakThreshold·h·w.
 * 5. Each thing pixel → candidate with the smallest D_x[p,a_k] + D_y[p,b_k] if < assignTau, else void.
 * 6. Instance class = majority vote of the semantic argmax over its pixels (ties → lowest channel);
 *    instances smaller than minThingArea → void. Stuff: one segment per stuff class = its argmax
 *    pixels (thing pixels never become stuff), kept if area ≥ minStuffArea, else void.
 * Thing embedding = mean predicted PE over the instance's pixels; score = mean exp(−d) of its pixels.
 */
import type { Segment } from '../../core/types.js';
import { gamma1d } from '../pe.js';
import { buildSegments, type SegmentInfo } from '../segments.js';
import { argmaxChannels, expNeg, Scratch } from './semantic.js';
import { checkClasses, checkHead, checkParam, type DecodedPanoptic, type DecoderClasses } from './types.js';

export interface GeneralistPeParams {
  /** Harmonics L of the embedding (4L channels). Default 4. */
  harmonics: number;
  /** Bins n per axis of the vote histogram. Default 64. */
  bins: number;
  /**
   * Minimum histogram value of a candidate, as a fraction of the head's pixel count h·w (a perfect
   * vote adds ≤ 1 per pixel, so 1e-4 at 160×160 means ≈ 2.6 pixel-votes). Default 1e-4.
   */
  peakThreshold: number;
  /**
   * Largest separable PE distance ‖x̂−γ(a)‖+‖ŷ−γ(b)‖ at which a pixel joins a candidate; farther → void.
   * Must stay below 2·√L (= 4 for L = 4, the distance of a zero embedding, i.e. void/crowd targets). Default 3.
   */
  assignTau: number;
  /** Instances with fewer pixels (head resolution) become void. Default 1. */
  minThingArea: number;
  /** Stuff classes with fewer pixels (head resolution) become void. Default 1. */
  minStuffArea: number;
}

export const DEFAULT_GENERALIST_PE_PARAMS: GeneralistPeParams = Object.freeze({
  harmonics: 4,
  bins: 64,
  peakThreshold: 1e-4,
  assignTau: 3,
  minThingArea: 1,
  minStuffArea: 1,
});

const paletteCache = new Map<string, Float32Array>();
/** γ(a_i) for the n bin centres, [n × 2L]. */
export function binPalette(bins: number, harmonics: number): Float32Array {
  const key = `${bins}:${harmonics}`;
  let pal = paletteCache.get(key);
  if (!pal) {
    pal = new Float32Array(bins * 2 * harmonics);
    for (let i = 1; i <= bins; i++) gamma1d(-1 + (2 * i) / (bins + 1), harmonics, pal, (i - 1) * 2 * harmonics);
    paletteCache.set(key, pal);
  }
  return pal;
}

const sLabels = new Scratch((n) => new Int32Array(n));
const sMax = new Scratch((n) => new Float32Array(n));
const sThing = new Scratch((n) => new Int32Array(n));
const sDx = new Scratch((n) => new Float32Array(n));
const sDy = new Scratch((n) => new Float32Array(n));
const sEx = new Scratch((n) => new Float32Array(n));
const sEy = new Scratch((n) => new Float32Array(n));
const sAssign = new Scratch((n) => new Int32Array(n));
const sX = new Scratch((n) => new Float64Array(n));
const sNx = new Scratch((n) => new Float64Array(n));

/**
 * Distances and votes exp(−d) of one block (u or v) of every listed pixel to every bin, both bin-major
 * ([n × count]; votes padded to nPad rows by the caller). The pixels' block values are gathered once
 * ([count × 2L]); the bin loop is outside so each bin's γ stays in registers (unrolled for L = 4).
 */
function blockDistances(inst: Float32Array, pixels: number, blockOffset: number, twoL: number, thing: Int32Array, count: number, pal: Float32Array, bins: number, dist: Float32Array, votes: Float32Array): void {
  const L = twoL / 2; // ‖γ(a)‖² = L
  const x = sX.get(count * twoL);
  const nx = sNx.get(count);
  for (let j = 0; j < count; j++) {
    const i = thing[j]!;
    let s = 0;
    for (let c = 0; c < twoL; c++) {
      const v = inst[(blockOffset + c) * pixels + i]!;
      x[j * twoL + c] = v;
      s += v * v;
    }
    nx[j] = s + L;
  }
  for (let a = 0; a < bins; a++) {
    const row = a * count;
    const q = a * twoL;
    if (twoL === 8) {
      const g0 = 2 * pal[q]!, g1 = 2 * pal[q + 1]!, g2 = 2 * pal[q + 2]!, g3 = 2 * pal[q + 3]!;
      const g4 = 2 * pal[q + 4]!, g5 = 2 * pal[q + 5]!, g6 = 2 * pal[q + 6]!, g7 = 2 * pal[q + 7]!;
      for (let j = 0, o = 0; j < count; j++, o += 8) {
        const d2 = nx[j]! - (x[o]! * g0 + x[o + 1]! * g1 + x[o + 2]! * g2 + x[o + 3]! * g3 + x[o + 4]! * g4 + x[o + 5]! * g5 + x[o + 6]! * g6 + x[o + 7]! * g7);
        // Rounding can make d2 slightly negative; a NaN embedding is infinitely far (no vote, void).
        const d = d2 > 0 ? Math.sqrt(d2) : d2 === d2 ? 0 : Infinity;
        dist[row + j] = d;
        votes[row + j] = expNeg(d);
      }
    } else {
      for (let j = 0, o = 0; j < count; j++, o += twoL) {
        let dot = 0;
        for (let c = 0; c < twoL; c++) dot += x[o + c]! * pal[q + c]!;
        const d2 = nx[j]! - 2 * dot;
        const d = d2 > 0 ? Math.sqrt(d2) : d2 === d2 ? 0 : Infinity;
        dist[row + j] = d;
        votes[row + j] = expNeg(d);
      }
    }
  }
}

/**
 * H[a·n + b] = Σ_j Ex[a,j]·Ey[b,j] with the votes stored bin-major ([nPad × count], nPad = n rounded up
 * to 4, padding rows zero): a 4×4 register-blocked matrix product (16 accumulators, 8 loads per 16
 * multiply-adds), the cheapest exact form of E_xᵀ·E_y in plain JS.
 */
export function voteHistogram(exT: Float32Array, eyT: Float32Array, count: number, bins: number, h: Float64Array): void {
  const nPad = (bins + 3) & ~3;
  for (let a0 = 0; a0 < nPad; a0 += 4) {
    const xa = a0 * count, xb = xa + count, xc = xb + count, xd = xc + count;
    for (let b0 = 0; b0 < nPad; b0 += 4) {
      const ya = b0 * count, yb = ya + count, yc = yb + count, yd = yc + count;
      let h00 = 0, h01 = 0, h02 = 0, h03 = 0, h10 = 0, h11 = 0, h12 = 0, h13 = 0;
      let h20 = 0, h21 = 0, h22 = 0, h23 = 0, h30 = 0, h31 = 0, h32 = 0, h33 = 0;
      for (let j = 0; j < count; j++) {
        const x0 = exT[xa + j]!, x1 = exT[xb + j]!, x2 = exT[xc + j]!, x3 = exT[xd + j]!;
        const y0 = eyT[ya + j]!, y1 = eyT[yb + j]!, y2 = eyT[yc + j]!, y3 = eyT[yd + j]!;
        h00 += x0 * y0; h01 += x0 * y1; h02 += x0 * y2; h03 += x0 * y3;
        h10 += x1 * y0; h11 += x1 * y1; h12 += x1 * y2; h13 += x1 * y3;
        h20 += x2 * y0; h21 += x2 * y1; h22 += x2 * y2; h23 += x2 * y3;
        h30 += x3 * y0; h31 += x3 * y1; h32 += x3 * y2; h33 += x3 * y3;
      }
      const acc = [h00, h01, h02, h03, h10, h11, h12, h13, h20, h21, h22, h23, h30, h31, h32, h33];
      for (let i = 0; i < 4; i++) {
        if (a0 + i >= bins) break;
        for (let k = 0; k < 4; k++) if (b0 + k < bins) h[(a0 + i) * bins + b0 + k] = acc[i * 4 + k]!;
      }
    }
  }
}

/** Strict 8-neighbour local maxima of the n×n histogram above `threshold`, row-major (a, then b). */
export function histogramPeaks(h: Float64Array, bins: number, threshold: number): number[] {
  const peaks: number[] = [];
  for (let a = 0; a < bins; a++) {
    for (let b = 0; b < bins; b++) {
      const v = h[a * bins + b]!;
      if (!(v > threshold)) continue;
      let isMax = true;
      for (let da = -1; da <= 1 && isMax; da++) {
        const na = a + da;
        if (na < 0 || na >= bins) continue;
        for (let db = -1; db <= 1; db++) {
          const nb = b + db;
          if ((da === 0 && db === 0) || nb < 0 || nb >= bins) continue;
          if (h[na * bins + nb]! >= v) {
            isMax = false;
            break;
          }
        }
      }
      if (isMax) peaks.push(a * bins + b);
    }
  }
  return peaks;
}

function checkParams(p: GeneralistPeParams): void {
  checkParam('params.harmonics', p.harmonics, { min: 1, integer: true });
  checkParam('params.bins', p.bins, { min: 2, integer: true });
  checkParam('params.peakThreshold', p.peakThreshold);
  checkParam('params.assignTau', p.assignTau, { exclusiveMin: true });
  checkParam('params.minThingArea', p.minThingArea);
  checkParam('params.minStuffArea', p.minStuffArea);
}

export function decodeGeneralistPe(
  heads: { semantic: Float32Array; instance: Float32Array; depth?: Float32Array; width: number; height: number },
  classes: DecoderClasses,
  params: GeneralistPeParams,
): DecodedPanoptic {
  checkParams(params);
  const { width, height } = heads;
  const C = checkClasses(classes);
  const L = params.harmonics;
  const n = params.bins;
  const P = checkHead('heads.semantic', heads.semantic, C, width, height);
  checkHead('heads.instance', heads.instance, 4 * L, width, height);
  if (heads.depth !== undefined) checkHead('heads.depth', heads.depth, 1, width, height);

  const labels = sLabels.get(P);
  argmaxChannels(heads.semantic, C, P, labels, sMax.get(P));
  const thing = sThing.get(P);
  let T = 0;
  for (let i = 0; i < P; i++) if (classes.isThing[labels[i]!]) thing[T++] = i;

  const ids = new Int32Array(P);
  const infos: SegmentInfo[] = [];
  if (T > 0) decodeThings(heads.instance, P, L, n, thing, T, labels, C, params, ids, infos, classes);

  // Stuff: one segment per stuff class over its argmax pixels.
  const stuffArea = new Int32Array(C);
  for (let i = 0; i < P; i++) {
    const c = labels[i]!;
    if (!classes.isThing[c]) stuffArea[c]++;
  }
  const stuffId = new Int32Array(C);
  let nextId = infos.length + 1;
  for (let c = 0; c < C; c++) {
    if (classes.isThing[c] || stuffArea[c] === 0 || stuffArea[c]! < params.minStuffArea) continue;
    stuffId[c] = nextId;
    infos.push({ id: nextId++, categoryId: classes.categoryIds[c]!, isThing: false, score: 1 });
  }
  for (let i = 0; i < P; i++) {
    const c = labels[i]!;
    if (!classes.isThing[c]) ids[i] = stuffId[c]!;
  }
  const segments: Segment[] = buildSegments(ids, width, height, infos, { harmonics: L, ...(heads.depth ? { depth: heads.depth } : {}) });
  return { width, height, ids, segments, ...(heads.depth ? { depth: heads.depth } : {}) };
}

/** Steps 2–6 for things; writes instance ids 1…K into `ids` and their infos into `infos`. */
function decodeThings(
  inst: Float32Array, P: number, L: number, n: number, thing: Int32Array, T: number, labels: Int32Array, C: number,
  params: GeneralistPeParams, ids: Int32Array, infos: SegmentInfo[], classes: DecoderClasses,
): void {
  const twoL = 2 * L;
  const pal = binPalette(n, L);
  const nPad = (n + 3) & ~3;
  const dx = sDx.get(T * n), dy = sDy.get(T * n), ex = sEx.get(T * nPad), ey = sEy.get(T * nPad);
  ex.fill(0, T * n, T * nPad);
  ey.fill(0, T * n, T * nPad);
  blockDistances(inst, P, 0, twoL, thing, T, pal, n, dx, ex);
  blockDistances(inst, P, twoL, twoL, thing, T, pal, n, dy, ey);
  const hist = new Float64Array(n * n);
  voteHistogram(ex, ey, T, n, hist);
  const peaks = histogramPeaks(hist, n, params.peakThreshold * P);
  const K = peaks.length;
  if (K === 0) return;
  const pa = new Int32Array(K), pb = new Int32Array(K);
  for (let k = 0; k < K; k++) {
    pa[k] = Math.floor(peaks[k]! / n);
    pb[k] = peaks[k]! % n;
  }
  // Assignment: nearest candidate in separable distance, void beyond τ.
  const assign = sAssign.get(T);
  const area = new Int32Array(K);
  const score = new Float64Array(K);
  const votes = new Int32Array(K * C);
  for (let j = 0; j < T; j++) {
    let best = -1, bestD = params.assignTau;
    for (let k = 0; k < K; k++) {
      const d = dx[pa[k]! * T + j]! + dy[pb[k]! * T + j]!; // distances are bin-major
      if (d < bestD) {
        bestD = d;
        best = k;
      }
    }
    assign[j] = best;
    if (best >= 0) {
      area[best]++;
      score[best] += expNeg(bestD);
      votes[best * C + labels[thing[j]!]!]++;
    }
  }
  // Keep instances ≥ minThingArea, ids in candidate order; class by majority vote.
  const segId = new Int32Array(K);
  let next = 1;
  for (let k = 0; k < K; k++) {
    if (area[k] === 0 || area[k]! < params.minThingArea) continue;
    segId[k] = next++;
  }
  const emb = new Float64Array((next - 1) * 4 * L);
  for (let j = 0; j < T; j++) {
    const k = assign[j]!;
    if (k < 0 || segId[k] === 0) continue;
    const i = thing[j]!;
    const s = segId[k]!;
    ids[i] = s;
    const base = (s - 1) * 4 * L;
    for (let c = 0; c < 4 * L; c++) emb[base + c] += inst[c * P + i]!;
  }
  for (let k = 0; k < K; k++) {
    const s = segId[k]!;
    if (s === 0) continue;
    let bestC = 0;
    for (let c = 1; c < C; c++) if (votes[k * C + c]! > votes[k * C + bestC]!) bestC = c;
    const e = new Float32Array(4 * L);
    for (let c = 0; c < 4 * L; c++) e[c] = emb[(s - 1) * 4 * L + c]! / area[k]!;
    infos.push({ id: s, categoryId: classes.categoryIds[bestC]!, isThing: true, score: score[k]! / area[k]!, embedding: e });
  }
}
