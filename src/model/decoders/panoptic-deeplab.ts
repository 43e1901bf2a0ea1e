/**
 * Panoptic-DeepLab post-processing, following detectron2's `post_processing.py` step for step:
 * 1. centre heatmap values ≤ centerThreshold → −1 (F.threshold);
 * 2. max-pool NMS (kernel k, stride 1, padding (k−1)/2 with −∞), keep values equal to the pooled one;
 * 3. top-k: if at least k centres survive, keep those strictly above the k-th score (clamped at 0),
 *    else all > 0; centres are numbered 1…K in row-major order (torch.nonzero);
 * 4. thing pixels (semantic argmax is a thing class) join the nearest centre to (y + dy, x + dx),
 *    ties → lower centre index (torch.argmin);
 * 5. instance class = majority vote of the semantic argmax inside it (torch.mode; ties → lowest channel);
 * 6. stuff: per stuff class, its argmax pixels if the area ≥ stuffArea, else void; thing pixels with
 *    no centre stay void.
 * Instance score: 'detectron2' = mean softmax probability of the instance's class over its mask × the
 * heatmap at (int(mean y), int(mean x)) of the mask; 'deeplab2' = heatmap value at the instance's centre.
 * Stuff segments score 1.
 */
import { buildSegments, type SegmentInfo } from '../segments.js';
import { accumulateSoftmaxProb, argmaxChannels, Scratch } from './semantic.js';
import { checkClasses, checkHead, checkParam, type DecodedPanoptic, type DecoderClasses } from './types.js';
import { ConfigError } from '../../core/errors.js';

export interface PanopticDeepLabParams {
  /** Heatmap values ≤ this are not centres. Default 0.1. */
  centerThreshold: number;
  /** Max-pool NMS kernel size in head pixels (odd). Default 7 (detectron2 Cityscapes; 41 for COCO). */
  nmsKernel: number;
  /** Centres kept at most (see step 3 for detectron2's strict-greater rule). Default 200. */
  topK: number;
  /** Minimum stuff class area in head pixels. Default 2048 (detectron2 Cityscapes at full resolution). */
  stuffArea: number;
  /** Instance score definition. Default 'detectron2'. */
  scoreMode: 'detectron2' | 'deeplab2';
  /** Multipliers [sy, sx] applied to (dy, dx) when the offset map was resized from another size. Default [1, 1]. */
  offsetScale?: [number, number];
}

export const DEFAULT_PANOPTIC_DEEPLAB_PARAMS: PanopticDeepLabParams = Object.freeze({
  centerThreshold: 0.1,
  nmsKernel: 7,
  topK: 200,
  stuffArea: 2048,
  scoreMode: 'detectron2' as const,
});

const sLabels = new Scratch((n) => new Int32Array(n));
const sMax = new Scratch((n) => new Float32Array(n));
const sHeat = new Scratch((n) => new Float32Array(n));
const sPoolA = new Scratch((n) => new Float32Array(n));
const sPoolB = new Scratch((n) => new Float32Array(n));
const sThing = new Scratch((n) => new Int32Array(n));
const sSeg = new Scratch((n) => new Int32Array(n));
const sDenom = new Scratch((n) => new Float64Array(n));

/** Steps 1–3: centre indices (y·w + x), row-major. */
export function findInstanceCenters(center: Float32Array, width: number, height: number, threshold: number, kernel: number, topK: number): number[] {
  const P = width * height;
  const t = sHeat.get(P);
  const thr = Math.fround(threshold); // torch compares a float32 tensor with the threshold cast to float32
  for (let i = 0; i < P; i++) t[i] = center[i]! > thr ? center[i]! : -1;
  // Separable max-pool (max is separable); out-of-image samples are −∞, i.e. skipped.
  const r = (kernel - 1) >> 1;
  const rowMax = sPoolA.get(P), pooled = sPoolB.get(P);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let m = -Infinity;
      const x1 = Math.min(width - 1, x + r);
      for (let k = Math.max(0, x - r); k <= x1; k++) if (t[row + k]! > m) m = t[row + k]!;
      rowMax[row + x] = m;
    }
  }
  for (let y = 0; y < height; y++) {
    const y0 = Math.max(0, y - r), y1 = Math.min(height - 1, y + r);
    for (let x = 0; x < width; x++) {
      let m = -Infinity;
      for (let k = y0; k <= y1; k++) if (rowMax[k * width + x]! > m) m = rowMax[k * width + x]!;
      pooled[y * width + x] = m;
    }
  }
  const centres: number[] = [];
  for (let i = 0; i < P; i++) if (t[i]! > 0 && t[i] === pooled[i]) centres.push(i);
  if (centres.length < topK || topK > P) return centres;
  const scores = centres.map((i) => t[i]!).sort((a, b) => b - a);
  const kth = Math.max(0, scores[topK - 1]!);
  return centres.filter((i) => t[i]! > kth);
}

function checkParams(p: PanopticDeepLabParams): [number, number] {
  checkParam('params.centerThreshold', p.centerThreshold, { min: -Infinity });
  checkParam('params.nmsKernel', p.nmsKernel, { min: 1, integer: true });
  if (p.nmsKernel % 2 === 0) throw new ConfigError('params.nmsKernel', p.nmsKernel, 'expected an odd kernel size');
  checkParam('params.topK', p.topK, { min: 1, integer: true });
  checkParam('params.stuffArea', p.stuffArea);
  if (p.scoreMode !== 'detectron2' && p.scoreMode !== 'deeplab2')
    throw new ConfigError('params.scoreMode', p.scoreMode, "expected 'detectron2' or 'deeplab2'");
  const s = p.offsetScale ?? [1, 1];
  if (!Array.isArray(s) || s.length !== 2 || !s.every((v) => typeof v === 'number' && Number.isFinite(v)))
    throw new ConfigError('params.offsetScale', s, 'expected [sy, sx] finite numbers');
  return s;
}

export function decodePanopticDeepLab(
  heads: { semantic: Float32Array; center: Float32Array; offsets: Float32Array; width: number; height: number },
  classes: DecoderClasses,
  params: PanopticDeepLabParams,
): DecodedPanoptic {
  const [sy, sx] = checkParams(params);
  const { width, height } = heads;
  const C = checkClasses(classes);
  const P = checkHead('heads.semantic', heads.semantic, C, width, height);
  checkHead('heads.center', heads.center, 1, width, height);
  checkHead('heads.offsets', heads.offsets, 2, width, height);

  const labels = sLabels.get(P);
  const maxLogit = sMax.get(P);
  argmaxChannels(heads.semantic, C, P, labels, maxLogit);
  const centres = findInstanceCenters(heads.center, width, height, params.centerThreshold, params.nmsKernel, params.topK);
  const K = centres.length;
  const cyArr = new Float64Array(K), cxArr = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    cyArr[k] = Math.floor(centres[k]! / width);
    cxArr[k] = centres[k]! % width;
  }

  // Step 4: grouping of thing pixels (only when there is at least one centre). Centres are visited
  // outwards from the pixel's row in order of their row (byRow), stopping in a direction once
  // (Δy)² alone exceeds the best squared distance; ties → lower centre index, as a full scan gives.
  const thing = sThing.get(P);
  const inst = sSeg.get(P); // centre index per listed thing pixel
  let T = 0;
  const off = heads.offsets;
  const byRow = Array.from({ length: K }, (_, k) => k).sort((a, b) => cyArr[a]! - cyArr[b]! || a - b);
  const rowY = Float64Array.from(byRow, (k) => cyArr[k]!);
  for (let i = 0; i < P; i++) {
    if (!classes.isThing[labels[i]!] || K === 0) continue;
    const py = Math.floor(i / width) + off[i]! * sy;
    const px = (i % width) + off[P + i]! * sx;
    let best = 0, bestD = Infinity;
    // First sorted centre with row ≥ py (binary search), then walk down and up.
    let lo = 0, hi = K;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (rowY[mid]! < py) lo = mid + 1;
      else hi = mid;
    }
    for (let s = lo; s < K; s++) {
      const k = byRow[s]!;
      const ddy = cyArr[k]! - py, ddx = cxArr[k]! - px;
      if (ddy * ddy > bestD) break;
      const d = ddy * ddy + ddx * ddx;
      if (d < bestD || (d === bestD && k < best)) {
        bestD = d;
        best = k;
      }
    }
    for (let s = lo - 1; s >= 0; s--) {
      const k = byRow[s]!;
      const ddy = cyArr[k]! - py, ddx = cxArr[k]! - px;
      if (ddy * ddy > bestD) break;
      const d = ddy * ddy + ddx * ddx;
      if (d < bestD || (d === bestD && k < best)) {
        bestD = d;
        best = k;
      }
    }
    thing[T] = i;
    inst[T++] = best;
  }

  // Step 5: majority vote per centre; ids in ascending centre order (torch.unique).
  const votes = new Int32Array(K * C);
  const area = new Int32Array(K);
  for (let j = 0; j < T; j++) {
    area[inst[j]!]++;
    votes[inst[j]! * C + labels[thing[j]!]!]++;
  }
  const ids = new Int32Array(P);
  const infos: SegmentInfo[] = [];
  const segOfCentre = new Int32Array(K).fill(-1);
  const channelOf = new Int32Array(K);
  for (let k = 0; k < K; k++) {
    if (area[k] === 0) continue;
    let bestC = 0;
    for (let c = 1; c < C; c++) if (votes[k * C + c]! > votes[k * C + bestC]!) bestC = c;
    segOfCentre[k] = infos.length;
    channelOf[infos.length] = bestC;
    infos.push({ id: infos.length + 1, categoryId: classes.categoryIds[bestC]!, isThing: true });
  }
  const nThings = infos.length;
  for (let j = 0; j < T; j++) ids[thing[j]!] = segOfCentre[inst[j]!]! + 1;

  // Scores.
  if (nThings > 0) {
    if (params.scoreMode === 'deeplab2') {
      for (let k = 0; k < K; k++) if (segOfCentre[k]! >= 0) infos[segOfCentre[k]!]!.score = heads.center[centres[k]!]!;
    } else {
      const segOf = new Int32Array(T);
      for (let j = 0; j < T; j++) segOf[j] = segOfCentre[inst[j]!]!;
      const probSum = new Float64Array(nThings);
      accumulateSoftmaxProb(heads.semantic, C, P, maxLogit, thing, T, segOf, channelOf, probSum, sDenom.get(T));
      const my = new Float64Array(nThings), mx = new Float64Array(nThings), cnt = new Float64Array(nThings);
      for (let j = 0; j < T; j++) {
        const s = segOf[j]!, i = thing[j]!;
        my[s] += Math.floor(i / width);
        mx[s] += i % width;
        cnt[s]++;
      }
      for (let s = 0; s < nThings; s++) {
        const c = heads.center[Math.trunc(my[s]! / cnt[s]!) * width + Math.trunc(mx[s]! / cnt[s]!)]!;
        infos[s]!.score = (probSum[s]! / cnt[s]!) * c;
      }
    }
  }

  // Step 6: stuff.
  const stuffArea = new Int32Array(C);
  for (let i = 0; i < P; i++) if (!classes.isThing[labels[i]!]) stuffArea[labels[i]!]++;
  const stuffId = new Int32Array(C);
  for (let c = 0; c < C; c++) {
    if (classes.isThing[c] || stuffArea[c] === 0 || stuffArea[c]! < params.stuffArea) continue;
    stuffId[c] = infos.length + 1;
    infos.push({ id: infos.length + 1, categoryId: classes.categoryIds[c]!, isThing: false, score: 1 });
  }
  for (let i = 0; i < P; i++) if (!classes.isThing[labels[i]!]) ids[i] = stuffId[labels[i]!]!;
  return { width, height, ids, segments: buildSegments(ids, width, height, infos) };
}
