/**
 * Ground-truth panoptic samples and the network outputs a perfect model would produce from them, for
 * decoder and runtime tests:
 * - void pixels are first given the segment of the nearest labelled pixel (4-neighbour dilation), as a
 *   real network extends neighbouring segments into unlabelled pixels (the evaluator ignores void);
 * - semantic logits: `logitScale` on the (filled) GT class channel, 0 elsewhere;
 * - PE targets γ(u)⊕γ(v) of each instance's centroid (pixel centres, `../../src/model/pe.ts` layout),
 *   void, stuff and crowd pixels → zeros (a crowd region has no single centroid; the paper's loss
 *   ignores unlabelled regions);
 * - Panoptic-DeepLab centre heatmap: a Gaussian (σ = 8 head pixels) at each instance's rounded centre of
 *   mass, max-combined, and exact offsets (dy, dx) = centre − pixel on (filled) instance pixels, 0 elsewhere;
 *   crowd regions get a centre and offsets too, as detectron2's PanopticDeepLabTargetGenerator does.
 * Samples: the 2 COCO panoptic images (133 categories) and the Cityscapes 256×128 gtFine frame (19 trainId
 * classes; category id = Cityscapes label id).
 */
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { decodePanopticPng, type CocoCategory, type CocoPanopticJson } from '../../src/eval/coco-panoptic.js';
import type { PanopticImage, PqCategory, PqSegment } from '../../src/eval/pq.js';
import type { DecoderClasses } from '../../src/model/decoders/types.js';
import { gamma1d, normCoord } from '../../src/model/pe.js';
import { dataPath } from './fixtures.js';

export interface GtSegment extends PqSegment {
  isThing: boolean;
  isCrowd: boolean;
}

export interface GtSample extends PanopticImage {
  ids: Int32Array;
  name: string;
  segments: GtSegment[];
  classes: DecoderClasses;
  categories: PqCategory[];
}

export interface GtTensors {
  width: number;
  height: number;
  /** [C, h, w] logits. */
  semantic: Float32Array;
  /** [4L, h, w] PE targets. */
  instance: Float32Array;
  /** [h, w] centre heatmap. */
  center: Float32Array;
  /** [2, h, w] offsets (dy, dx). */
  offsets: Float32Array;
  /** [h, w] synthetic depth: a vertical ramp 1 … 10 (for pass-through checks). */
  depth: Float32Array;
}

/** The 2 COCO val2017 panoptic GT images at full resolution. */
export function loadCocoSamples(): GtSample[] {
  const dir = dataPath('coco-panoptic-sample');
  const json = JSON.parse(readFileSync(`${dir}/panoptic_examples.json`, 'utf8')) as CocoPanopticJson;
  const cats = JSON.parse(readFileSync(`${dir}/panoptic_coco_categories.json`, 'utf8')) as CocoCategory[];
  const classes: DecoderClasses = { categoryIds: cats.map((c) => c.id), isThing: cats.map((c) => c.isthing === 1) };
  const categories: PqCategory[] = cats.map((c) => ({ id: c.id, isThing: c.isthing === 1, name: c.name ?? '' }));
  const thing = new Map(cats.map((c) => [c.id, c.isthing === 1]));
  return json.annotations.map((a) => {
    const png = decodePanopticPng(readFileSync(`${dir}/panoptic_examples/${a.file_name}`));
    const segments = a.segments_info.map((s) => ({ id: s.id, categoryId: s.category_id, isCrowd: s.iscrowd === 1, isThing: thing.get(s.category_id)!, area: s.area! }));
    return { name: a.file_name, width: png.width, height: png.height, ids: new Int32Array(png.ids), segments, classes, categories };
  });
}

/** Cityscapes: label id → trainId (255 = ignored → void). */
const CITYSCAPES_TRAIN: Record<number, number> = { 7: 0, 8: 1, 11: 2, 12: 3, 13: 4, 17: 5, 19: 6, 20: 7, 21: 8, 22: 9, 23: 10, 24: 11, 25: 12, 26: 13, 27: 14, 28: 15, 31: 16, 32: 17, 33: 18 };
export const CITYSCAPES_NAMES = ['road', 'sidewalk', 'building', 'wall', 'fence', 'pole', 'traffic light', 'traffic sign', 'vegetation', 'terrain', 'sky', 'person', 'rider', 'car', 'truck', 'bus', 'train', 'motorcycle', 'bicycle'];

/** The Cityscapes gtFine frame (256×128, instanceIds: class·1000 + instance for things, < 1000 = class / crowd). */
export function loadCityscapesSample(): GtSample {
  const png = PNG.sync.read(readFileSync(dataPath('cityscapes-sample', 'mmseg_frankfurt_000000_000294_gtFine_instanceIds.png')), { skipRescale: true });
  const labelIds = Object.keys(CITYSCAPES_TRAIN).map(Number);
  const classes: DecoderClasses = { categoryIds: labelIds, isThing: labelIds.map((l) => l >= 24) };
  const categories: PqCategory[] = labelIds.map((l, i) => ({ id: l, isThing: l >= 24, name: CITYSCAPES_NAMES[i]! }));
  const P = png.width * png.height;
  const ids = new Int32Array(P);
  const segs = new Map<number, GtSegment>();
  const data = png.data as unknown as Uint16Array; // 16-bit grey, RGBA-expanded by pngjs
  for (let i = 0; i < P; i++) {
    const raw = data[i * 4]!;
    const label = raw >= 1000 ? Math.floor(raw / 1000) : raw;
    if (CITYSCAPES_TRAIN[label] === undefined) continue;
    const isThing = label >= 24;
    const crowd = isThing && raw < 1000;
    ids[i] = raw; // unique per segment: stuff = label id, things = class·1000 + instance
    if (!segs.has(raw)) segs.set(raw, { id: raw, categoryId: label, isThing, isCrowd: crowd, area: 0 });
    segs.get(raw)!.area!++;
  }
  return { name: 'cityscapes-frankfurt_000000_000294', width: png.width, height: png.height, ids, segments: [...segs.values()], classes, categories };
}

/** Nearest-neighbour resize of a GT sample to width×height (pixel centres); areas recounted, empty segments dropped. */
export function resizeGt(gt: GtSample, width: number, height: number): GtSample {
  const ids = new Int32Array(width * height);
  for (let y = 0, o = 0; y < height; y++) {
    const sy = Math.min(gt.height - 1, Math.floor(((y + 0.5) * gt.height) / height));
    for (let x = 0; x < width; x++, o++) ids[o] = gt.ids[sy * gt.width + Math.min(gt.width - 1, Math.floor(((x + 0.5) * gt.width) / width))]!;
  }
  const area = new Map<number, number>();
  for (const id of ids) area.set(id, (area.get(id) ?? 0) + 1);
  const segments = gt.segments.filter((s) => area.has(s.id)).map((s) => ({ ...s, area: area.get(s.id)! }));
  return { ...gt, width, height, ids, segments };
}

/** Perfect-model tensors for `gt` at its own resolution. */
export function gtTensors(gt: GtSample, opts: { harmonics?: number; sigma?: number; logitScale?: number } = {}): GtTensors {
  const L = opts.harmonics ?? 4;
  const sigma = opts.sigma ?? 8;
  const scale = opts.logitScale ?? 10;
  const { width: w, height: h } = gt;
  const P = w * h;
  const C = gt.classes.categoryIds.length;
  const chan = new Map(gt.classes.categoryIds.map((id, c) => [id, c]));
  const seg = new Map(gt.segments.map((s) => [s.id, s]));
  // Void pixels take the segment of the nearest labelled pixel (4-neighbour dilation).
  const segs = gt.segments;
  const segIndex = new Map(segs.map((sg, k) => [sg.id, k]));
  const filled = new Int32Array(P);
  for (let i = 0; i < P; i++) filled[i] = segIndex.get(gt.ids[i]!) ?? -1;
  fillVoid(filled, w, h);
  const label = new Int32Array(P);
  for (let i = 0; i < P; i++) label[i] = filled[i]! >= 0 ? chan.get(segs[filled[i]!]!.categoryId)! : -1;
  const semantic = new Float32Array(C * P);
  for (let i = 0; i < P; i++) if (label[i]! >= 0) semantic[label[i]! * P + i] = scale;
  // Centroids of instances (things incl. crowd).
  const sums = new Map<number, [number, number, number]>();
  for (let y = 0, i = 0; y < h; y++)
    for (let x = 0; x < w; x++, i++) {
      const s = seg.get(gt.ids[i]!);
      if (!s?.isThing) continue;
      const acc = sums.get(s.id) ?? [0, 0, 0];
      acc[0] += x;
      acc[1] += y;
      acc[2]++;
      sums.set(s.id, acc);
    }
  const pe = new Map<number, Float32Array>();
  const centre = new Map<number, [number, number]>();
  for (const [id, [sx, sy, n]] of sums) {
    centre.set(id, [Math.round(sy / n), Math.round(sx / n)]);
    if (seg.get(id)!.isCrowd) continue;
    const e = new Float32Array(4 * L);
    gamma1d(normCoord(sx / n + 0.5, w), L, e, 0);
    gamma1d(normCoord(sy / n + 0.5, h), L, e, 2 * L);
    pe.set(id, e);
  }
  const instance = new Float32Array(4 * L * P);
  const offsets = new Float32Array(2 * P);
  for (let y = 0, i = 0; y < h; y++)
    for (let x = 0; x < w; x++, i++) {
      const e = pe.get(gt.ids[i]!); // PE: void stays zero
      if (e) for (let c = 0; c < 4 * L; c++) instance[c * P + i] = e[c]!;
      const ctr = filled[i]! >= 0 ? centre.get(segs[filled[i]!]!.id) : undefined; // offsets: filled segment
      if (!ctr) continue;
      const [cy, cx] = ctr;
      offsets[i] = cy - y;
      offsets[P + i] = cx - x;
    }
  const center = new Float32Array(P);
  const r = Math.ceil(3 * sigma);
  for (const [cy, cx] of centre.values())
    for (let y = Math.max(0, cy - r); y <= Math.min(h - 1, cy + r); y++)
      for (let x = Math.max(0, cx - r); x <= Math.min(w - 1, cx + r); x++) {
        const g = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma * sigma));
        if (g > center[y * w + x]!) center[y * w + x] = g;
      }
  const depth = new Float32Array(P);
  for (let y = 0; y < h; y++) depth.fill(1 + (9 * y) / Math.max(1, h - 1), y * w, (y + 1) * w);
  return { width: w, height: h, semantic, instance, center, offsets, depth };
}

function fillVoid(label: Int32Array, w: number, h: number): void {
  let changed = true;
  const next = new Int32Array(label.length);
  while (changed) {
    changed = false;
    next.set(label);
    for (let y = 0, i = 0; y < h; y++)
      for (let x = 0; x < w; x++, i++) {
        if (label[i]! >= 0) continue;
        const n = (x > 0 ? label[i - 1]! : -1) >= 0 ? label[i - 1]! : (x < w - 1 ? label[i + 1]! : -1) >= 0 ? label[i + 1]! : (y > 0 ? label[i - w]! : -1) >= 0 ? label[i - w]! : y < h - 1 ? label[i + w]! : -1;
        if (n >= 0) {
          next[i] = n;
          changed = true;
        }
      }
    label.set(next);
  }
}

/** Deterministic PRNG (mulberry32) and standard normal samples (Box–Muller). */
export function rng(seed: number): { uniform(): number; normal(): number } {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { uniform, normal: () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()) };
}

/** Copy of `a` with i.i.d. Gaussian noise of standard deviation `sigma` added to every value. */
export function withGaussianNoise(a: Float32Array, sigma: number, seed = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! + sigma * r.normal();
  return out;
}

/** Separable Gaussian blur of an h×w map (σ in pixels, kernel radius 3σ, edge clamp). */
export function blurred(a: Float32Array, w: number, h: number, sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  const tmp = new Float32Array(a.length), out = new Float32Array(a.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) s += k[i + r]! * a[y * w + Math.min(w - 1, Math.max(0, x + i))]!;
      tmp[y * w + x] = s;
    }
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) s += k[i + r]! * tmp[Math.min(h - 1, Math.max(0, y + i)) * w + x]!;
      out[y * w + x] = s;
    }
  return out;
}
