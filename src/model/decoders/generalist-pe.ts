/**
 * Decoder of the generalist PE-centroid family (Prisadnikov et al., arXiv 2408.16504): semantic logits
 * [C,h,w] + per-pixel spectral embedding of the instance centroid [4L,h,w] (γ(u)⊕γ(v), layout of
 * `../pe.ts`) + optional depth [h,w] → panoptic ids and segments.
 *
 * Stage 1, the paper's method (`pe-vote.ts`):
 * 1. Bin palette a_i = −1 + 2i/(n+1), i = 1…n, with embeddings γ(a_i) (same palette for u and v).
 * 2. Thing pixels only (semantic argmax is a thing class) vote: per pixel and bin exp(−d/T), d the block
 *    distance ‖x̂_p − γ(a)‖ (or ‖ŷ_p − γ(b)‖); T = voteTemperature (the paper: T = 1).
 * 3. Histogram H = E_xᵀ·E_y (n×n, a = u bin, b = v bin): dense (voteWindowBins = 0, the paper) or
 *    windowed (each voter only votes within ±w bins of its nearest bin; exact up to < 3e-5 per vote).
 * 4. Candidates: strict 8-neighbour local maxima of H with H > peakThreshold·h·w.
 * 5. Each thing pixel → candidate with the smallest ‖x̂−γ(a_k)‖ + ‖ŷ−γ(b_k)‖ if < assignTau, else void.
 * Stage 2, mode 'refined' only (`pe-refine.ts`): candidate embedding := mean predicted PE of its pixels,
 * multi-modal candidates split (2-means in PE space), every pixel re-assigned to the nearest candidate
 * embedding (same separable distance and τ).
 * Then: instance class = majority vote of the semantic argmax over its pixels (ties → lowest channel);
 * instances smaller than minThingArea → void. Stuff: one segment per stuff class = its argmax pixels
 * (thing pixels never become stuff), kept if area ≥ minStuffArea, else void.
 * Thing embedding = mean predicted PE over the instance's pixels; score = mean exp(−d) of its pixels.
 */
import { ConfigError } from '../../core/errors.js';
import type { Segment } from '../../core/types.js';
import { buildSegments, type SegmentInfo } from '../segments.js';
import { assignNearest, clusterMeans, createSplitCache, splitModes } from './pe-refine.js';
import { binPalette, denseBlockVotes, gatherBlock, histogramPeaks, voteHistogram, windowedHistogram } from './pe-vote.js';
import { argmaxChannels, expNeg, Scratch } from './semantic.js';
import { checkClasses, checkHead, checkParam, type DecodedPanoptic, type DecoderClasses } from './types.js';

export { binPalette, histogramPeaks, voteHistogram } from './pe-vote.js';

export interface GeneralistPeParams {
  /**
   * 'refined' (default): the paper's vote and assignment, then the refinement stage (mean-PE candidates,
   * split of multi-modal candidates, re-assignment). 'paper': stage 1 only.
   */
  mode: 'refined' | 'paper';
  /** Harmonics L of the embedding (4L channels). Default 4. */
  harmonics: number;
  /** Bins n per axis of the vote histogram. Default 64. */
  bins: number;
  /**
   * Vote temperature T in exp(−d/T) (PE distance units). T = 1 is the paper's kernel; T < 1 sharpens the
   * peaks but splits noisy instances into spurious peaks (measured in docs/decoders.md). Default 1.
   */
  voteTemperature: number;
  /**
   * Bins per side around each voter's nearest bin that receive its vote (a (2w+1)² window); 0 = every
   * bin (the paper's dense histogram, O(voters·n²)). The window drops the kernel's far field and side
   * lobes (which only seed empty candidates). Default 6.
   */
  voteWindowBins: number;
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
  /**
   * Mode 'refined': a candidate is split when its two 2-means sub-means are ≥ splitRatio times farther
   * apart than noise alone would put them (per-channel noise σ estimated robustly over all voters; on
   * noiseless embeddings any two distinct modes split). Default 2.
   */
  splitRatio: number;
  /** Mode 'refined': minimum pixels (head resolution) of each half of a split. Default 1. */
  splitMinArea: number;
  /** Instances with fewer pixels (head resolution) become void. Default 1. */
  minThingArea: number;
  /** Stuff classes with fewer pixels (head resolution) become void. Default 1. */
  minStuffArea: number;
}

export const DEFAULT_GENERALIST_PE_PARAMS: GeneralistPeParams = Object.freeze({
  mode: 'refined' as const,
  harmonics: 4,
  bins: 64,
  voteTemperature: 1,
  voteWindowBins: 6,
  peakThreshold: 1e-4,
  assignTau: 3,
  splitRatio: 2,
  splitMinArea: 1,
  minThingArea: 1,
  minStuffArea: 1,
});

/** The paper's decoder exactly: dense exp(−d) vote, no refinement (other fields as the defaults). */
export const PAPER_GENERALIST_PE_PARAMS: GeneralistPeParams = Object.freeze({
  ...DEFAULT_GENERALIST_PE_PARAMS,
  mode: 'paper' as const,
  voteWindowBins: 0,
});

const sLabels = new Scratch((n) => new Int32Array(n));
const sMax = new Scratch((n) => new Float32Array(n));
const sThing = new Scratch((n) => new Int32Array(n));
const sX = new Scratch((n) => new Float32Array(n));
const sY = new Scratch((n) => new Float32Array(n));
const sXn = new Scratch((n) => new Float32Array(n));
const sYn = new Scratch((n) => new Float32Array(n));
const sEx = new Scratch((n) => new Float32Array(n));
const sEy = new Scratch((n) => new Float32Array(n));
const sAssign = new Scratch((n) => new Int32Array(n));
const sDist = new Scratch((n) => new Float32Array(n));

function checkParams(p: GeneralistPeParams): void {
  if (p.mode !== 'refined' && p.mode !== 'paper') throw new ConfigError('params.mode', p.mode, "expected 'refined' or 'paper'");
  checkParam('params.harmonics', p.harmonics, { min: 1, integer: true });
  checkParam('params.bins', p.bins, { min: 2, integer: true });
  checkParam('params.voteTemperature', p.voteTemperature, { exclusiveMin: true });
  checkParam('params.voteWindowBins', p.voteWindowBins, { integer: true });
  checkParam('params.peakThreshold', p.peakThreshold);
  checkParam('params.assignTau', p.assignTau, { exclusiveMin: true });
  checkParam('params.splitRatio', p.splitRatio, { exclusiveMin: true });
  checkParam('params.splitMinArea', p.splitMinArea, { min: 1, integer: true });
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

/** Stages 1–2 for things; writes instance ids 1…K into `ids` and their infos into `infos`. */
function decodeThings(
  inst: Float32Array, P: number, L: number, n: number, thing: Int32Array, T: number, labels: Int32Array, C: number,
  params: GeneralistPeParams, ids: Int32Array, infos: SegmentInfo[], classes: DecoderClasses,
): void {
  const twoL = 2 * L, fourL = 4 * L;
  const pal = binPalette(n, L);
  const x = sX.get(T * twoL), y = sY.get(T * twoL), xn = sXn.get(T), yn = sYn.get(T);
  gatherBlock(inst, P, 0, twoL, thing, T, x, xn);
  gatherBlock(inst, P, twoL, twoL, thing, T, y, yn);
  const invT = 1 / params.voteTemperature;
  const hist = new Float64Array(n * n);
  if (params.voteWindowBins > 0) {
    windowedHistogram(x, xn, y, yn, T, L, pal, n, invT, params.voteWindowBins, hist);
  } else {
    const nPad = (n + 3) & ~3;
    const ex = sEx.get(T * nPad), ey = sEy.get(T * nPad);
    ex.fill(0, T * n, T * nPad);
    ey.fill(0, T * n, T * nPad);
    denseBlockVotes(x, xn, T, twoL, pal, n, invT, ex);
    denseBlockVotes(y, yn, T, twoL, pal, n, invT, ey);
    voteHistogram(ex, ey, T, n, hist);
  }
  const peaks = histogramPeaks(hist, n, params.peakThreshold * P);
  let K = peaks.length;
  if (K === 0) return;
  let centres: Float64Array = new Float64Array(K * fourL);
  for (let k = 0; k < K; k++) {
    const a = Math.floor(peaks[k]! / n), b = peaks[k]! % n;
    for (let c = 0; c < twoL; c++) {
      centres[k * fourL + c] = pal[a * twoL + c]!;
      centres[k * fourL + twoL + c] = pal[b * twoL + c]!;
    }
  }
  const assign = sAssign.get(T), dist = sDist.get(T);
  assignNearest(x, xn, y, yn, T, twoL, centres, K, params.assignTau, assign, dist);
  if (params.mode === 'refined') {
    // Rounds: voters void in stage 1 may join a split-off candidate and form a new mixture.
    const maxCentres = 4 * K + 64;
    const cache = createSplitCache(T);
    for (let round = 0; round < 3; round++) {
      const before = K;
      ({ centres, K } = splitModes(x, y, T, twoL, assign, K, { splitRatio: params.splitRatio, splitMinArea: params.splitMinArea, maxCentres }, cache));
      assignNearest(x, xn, y, yn, T, twoL, centres, K, params.assignTau, assign, dist);
      if (K <= before && round > 0) break;
    }
  }
  const { means, sizes: area } = clusterMeans(x, y, T, twoL, assign, K);
  const score = new Float64Array(K);
  const votes = new Int32Array(K * C);
  for (let j = 0; j < T; j++) {
    const k = assign[j]!;
    if (k < 0) continue;
    score[k] += expNeg(dist[j]!);
    votes[k * C + labels[thing[j]!]!]++;
  }
  // Keep instances ≥ minThingArea, ids in candidate order; class by majority vote.
  const segId = new Int32Array(K);
  let next = 1;
  for (let k = 0; k < K; k++) {
    if (area[k] === 0 || area[k]! < params.minThingArea) continue;
    segId[k] = next++;
    let bestC = 0;
    for (let c = 1; c < C; c++) if (votes[k * C + c]! > votes[k * C + bestC]!) bestC = c;
    infos.push({ id: segId[k]!, categoryId: classes.categoryIds[bestC]!, isThing: true, score: score[k]! / area[k]!, embedding: Float32Array.from(means.subarray(k * fourL, (k + 1) * fourL)) });
  }
  for (let j = 0; j < T; j++) {
    const k = assign[j]!;
    if (k >= 0 && segId[k]! > 0) ids[thing[j]!] = segId[k]!;
  }
}
