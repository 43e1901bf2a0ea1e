/**
 * Pure decoder of YOLO-seg outputs (Ultralytics YOLOv8/YOLO11 `-seg` export):
 * `output0` [1, 4+nc+nm, N] (per anchor cx, cy, w, h in input pixels, nc class scores, nm mask
 * coefficients) and `output1` [1, nm, mh, mw] mask prototypes. Confidence threshold → class-aware
 * NMS → max detections → mask = sigmoid(coeffs · protos), upsampled bilinearly, thresholded and
 * cropped to the box, mapped back to the frame through the input {@link Placement} (exact
 * unletterboxing). Mask probabilities are computed only on the proto cells under each box.
 */
import type { Placement } from './placement.js';

export interface YoloSegOptions {
  /** Minimum class score for a detection. Default 0.25. */
  confThreshold?: number;
  /** IoU above which a lower-scored box of the same class is suppressed. Default 0.7 (Ultralytics' default). */
  iouThreshold?: number;
  /** Maximum detections kept after NMS. Default 100. */
  maxDetections?: number;
  /** Candidates (best-scored first) that enter NMS. Default 3000. */
  maxCandidates?: number;
  /** Mask probability threshold. Default 0.5. */
  maskThreshold?: number;
}

/** A binary mask stored over its bounding region of the frame: pixel (x, y) of the frame is `data[(y - top) * width + (x - left)]`. */
export interface RegionMask {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export interface YoloDetection {
  /** Class index of the instance model (0-based, e.g. COCO-80 order). */
  readonly classIndex: number;
  readonly score: number;
  /** Box in frame pixels [x0, y0, x1, y1] (pixel edges), clipped to the frame. */
  readonly box: [number, number, number, number];
  readonly mask: RegionMask;
}

export interface YoloSegOutputs {
  readonly output0: Float32Array;
  readonly dims0: readonly number[];
  readonly protos: Float32Array;
  readonly protoDims: readonly number[];
}

function iou(a: Float32Array, i: number, j: number): number {
  const ix0 = Math.max(a[i * 4]!, a[j * 4]!);
  const iy0 = Math.max(a[i * 4 + 1]!, a[j * 4 + 1]!);
  const ix1 = Math.min(a[i * 4 + 2]!, a[j * 4 + 2]!);
  const iy1 = Math.min(a[i * 4 + 3]!, a[j * 4 + 3]!);
  const inter = Math.max(0, ix1 - ix0) * Math.max(0, iy1 - iy0);
  if (inter <= 0) return 0;
  const areaI = (a[i * 4 + 2]! - a[i * 4]!) * (a[i * 4 + 3]! - a[i * 4 + 1]!);
  const areaJ = (a[j * 4 + 2]! - a[j * 4]!) * (a[j * 4 + 3]! - a[j * 4 + 1]!);
  return inter / (areaI + areaJ - inter);
}

/** Decodes one image's YOLO-seg outputs into frame-space instances, best score first. */
export function decodeYoloSeg(out: YoloSegOutputs, p: Placement, frameWidth: number, frameHeight: number, opts: YoloSegOptions = {}): YoloDetection[] {
  const conf = opts.confThreshold ?? 0.25;
  const iouThr = opts.iouThreshold ?? 0.7;
  const maxDet = opts.maxDetections ?? 100;
  const maxCand = opts.maxCandidates ?? 3000;
  const maskThr = opts.maskThreshold ?? 0.5;
  const [, channels, n] = out.dims0 as [number, number, number];
  const [, nm, mh, mw] = out.protoDims as [number, number, number, number];
  const nc = channels - 4 - nm;
  if (!(nc > 0) || out.output0.length < channels * n || out.protos.length < nm * mh * mw)
    throw new RangeError(`YOLO-seg outputs do not fit: output0 [${out.dims0.join(',')}], protos [${out.protoDims.join(',')}]`);
  const d = out.output0;

  // Best class per anchor; classes outer so the reads are sequential.
  const best = new Float32Array(n);
  const bestCls = new Int32Array(n);
  for (let c = 0; c < nc; c++) {
    const base = (4 + c) * n;
    for (let a = 0; a < n; a++) {
      const s = d[base + a]!;
      if (s > best[a]!) {
        best[a] = s;
        bestCls[a] = c;
      }
    }
  }
  let cand: number[] = [];
  for (let a = 0; a < n; a++) if (best[a]! >= conf) cand.push(a);
  cand.sort((x, y) => best[y]! - best[x]!);
  if (cand.length > maxCand) cand = cand.slice(0, maxCand);

  const boxes = new Float32Array(cand.length * 4);
  cand.forEach((a, k) => {
    const cx = d[a]!;
    const cy = d[n + a]!;
    const w = d[2 * n + a]!;
    const h = d[3 * n + a]!;
    boxes[k * 4] = cx - w / 2;
    boxes[k * 4 + 1] = cy - h / 2;
    boxes[k * 4 + 2] = cx + w / 2;
    boxes[k * 4 + 3] = cy + h / 2;
  });
  const kept: number[] = [];
  for (let k = 0; k < cand.length && kept.length < maxDet; k++) {
    const cls = bestCls[cand[k]!]!;
    let ok = true;
    for (const j of kept) {
      if (bestCls[cand[j]!] === cls && iou(boxes, k, j) > iouThr) {
        ok = false;
        break;
      }
    }
    if (ok) kept.push(k);
  }

  const result: YoloDetection[] = [];
  for (const k of kept) {
    const a = cand[k]!;
    const fx0 = Math.max(0, (boxes[k * 4]! - p.padX) / p.scaleX);
    const fy0 = Math.max(0, (boxes[k * 4 + 1]! - p.padY) / p.scaleY);
    const fx1 = Math.min(frameWidth, (boxes[k * 4 + 2]! - p.padX) / p.scaleX);
    const fy1 = Math.min(frameHeight, (boxes[k * 4 + 3]! - p.padY) / p.scaleY);
    const coeffs = new Float32Array(nm);
    for (let m = 0; m < nm; m++) coeffs[m] = d[(4 + nc + m) * n + a]!;
    const mask = boxMask(out.protos, nm, mh, mw, coeffs, p, fx0, fy0, fx1, fy1, maskThr);
    result.push({ classIndex: bestCls[a]!, score: best[a]!, box: [fx0, fy0, fx1, fy1], mask });
  }
  return result;
}

/** Mask of one instance over the frame pixels whose centres lie inside the box. */
function boxMask(
  protos: Float32Array,
  nm: number,
  mh: number,
  mw: number,
  coeffs: Float32Array,
  p: Placement,
  bx0: number,
  by0: number,
  bx1: number,
  by1: number,
  thr: number,
): RegionMask {
  const left = Math.max(0, Math.ceil(bx0 - 0.5));
  const top = Math.max(0, Math.ceil(by0 - 0.5));
  const right = Math.floor(bx1 - 0.5); // inclusive
  const bottom = Math.floor(by1 - 0.5);
  const width = Math.max(0, right - left + 1);
  const height = Math.max(0, bottom - top + 1);
  const data = new Uint8Array(width * height);
  if (width === 0 || height === 0) return { left, top, width, height, data };
  const gx = mw / p.dstWidth;
  const gy = mh / p.dstHeight;
  // Proto coordinates (cell centres at integer + 0.5 → subtract 0.5) of each frame column/row.
  const us = new Float32Array(width);
  for (let i = 0; i < width; i++) us[i] = Math.min(mw - 1, Math.max(0, ((left + i + 0.5) * p.scaleX + p.padX) * gx - 0.5));
  const vs = new Float32Array(height);
  for (let j = 0; j < height; j++) vs[j] = Math.min(mh - 1, Math.max(0, ((top + j + 0.5) * p.scaleY + p.padY) * gy - 0.5));
  const c0 = Math.floor(us[0]!);
  const c1 = Math.min(mw - 1, Math.floor(us[width - 1]!) + 1);
  const r0 = Math.floor(vs[0]!);
  const r1 = Math.min(mh - 1, Math.floor(vs[height - 1]!) + 1);
  const rw = c1 - c0 + 1;
  const rh = r1 - r0 + 1;
  // Probabilities on the proto cells under the box only.
  const prob = new Float32Array(rw * rh);
  const plane = mh * mw;
  for (let m = 0; m < nm; m++) {
    const c = coeffs[m]!;
    if (c === 0) continue;
    const base = m * plane;
    for (let r = 0; r < rh; r++) {
      const src = base + (r0 + r) * mw + c0;
      const dst = r * rw;
      for (let q = 0; q < rw; q++) prob[dst + q] += c * protos[src + q]!;
    }
  }
  for (let i = 0; i < prob.length; i++) prob[i] = 1 / (1 + Math.exp(-prob[i]!));
  const ix0 = new Int32Array(width);
  const ix1 = new Int32Array(width);
  const fxs = new Float32Array(width);
  for (let i = 0; i < width; i++) {
    const u = us[i]! - c0;
    ix0[i] = Math.floor(u);
    ix1[i] = Math.min(rw - 1, ix0[i]! + 1);
    fxs[i] = u - ix0[i]!;
  }
  for (let j = 0; j < height; j++) {
    const v = vs[j]! - r0;
    const ra = Math.floor(v);
    const rb = Math.min(rh - 1, ra + 1);
    const fy = v - ra;
    const a = ra * rw;
    const b = rb * rw;
    const o = j * width;
    for (let i = 0; i < width; i++) {
      const fx = fxs[i]!;
      const t = prob[a + ix0[i]!]! * (1 - fx) + prob[a + ix1[i]!]! * fx;
      const btm = prob[b + ix0[i]!]! * (1 - fx) + prob[b + ix1[i]!]! * fx;
      data[o + i] = t * (1 - fy) + btm * fy > thr ? 1 : 0;
    }
  }
  return { left, top, width, height, data };
}
