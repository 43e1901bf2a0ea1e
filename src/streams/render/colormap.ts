/**
 * Colour look-up tables for the overlay renderer: a perceptual depth colormap (Turbo), a stable
 * per-track palette, and robust near→far normalisation of depth maps by percentiles.
 * Everything here is allocation-free per pixel: LUTs are built once.
 */
import type { DepthKind } from '../../core/types.js';

export type Rgb = [number, number, number];

/**
 * Turbo colormap (Google, 2019) as a 256-entry RGB LUT, from Google's published polynomial
 * approximation: close to the reference table over most of the range, darker and less blue in the
 * first ~2 % (index 0 is (35,23,27) instead of (48,18,59)). Index 0 = dark blue (far), 255 = dark
 * red (near) in {@link depthToLut}'s convention.
 */
export const TURBO_LUT: Uint8Array = (() => {
  const lut = new Uint8Array(256 * 3);
  const r4 = [0.13572138, 4.6153926, -42.66032258, 132.13108234];
  const g4 = [0.09140261, 2.19418839, 4.84296658, -14.18503333];
  const b4 = [0.1066733, 12.64194608, -60.58204836, 110.36276771];
  const r2 = [-152.94239396, 59.28637943];
  const g2 = [4.27729857, 2.82956604];
  const b2 = [-89.90310912, 27.34824973];
  const poly = (x: number, c4: number[], c2: number[]): number => {
    const x2 = x * x;
    const x3 = x2 * x;
    const v = c4[0]! + c4[1]! * x + c4[2]! * x2 + c4[3]! * x3 + c2[0]! * x2 * x2 + c2[1]! * x2 * x3;
    return Math.max(0, Math.min(255, Math.round(v * 255)));
  };
  for (let i = 0; i < 256; i++) {
    const x = i / 255;
    lut[i * 3] = poly(x, r4, r2);
    lut[i * 3 + 1] = poly(x, g4, g2);
    lut[i * 3 + 2] = poly(x, b4, b2);
  }
  return lut;
})();

/** 32-bit integer mix (MurmurHash3 fmix32): spreads consecutive track ids across the palette. */
export function hash32(n: number): number {
  let h = n | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hsvToRgb(h: number, s: number, v: number): Rgb {
  const i = Math.floor(h * 6);
  const f = h * 6 - i;
  const p = v * (1 - s);
  const q = v * (1 - f * s);
  const t = v * (1 - (1 - f) * s);
  const rgb: [number, number, number][] = [
    [v, t, p],
    [q, v, p],
    [p, v, t],
    [p, q, v],
    [t, p, v],
    [v, p, q],
  ];
  const [r, g, b] = rgb[((i % 6) + 6) % 6]!;
  return [Math.round(r * 255), Math.round(g * 255), Math.round(b * 255)];
}

/**
 * Stable colour of a track: a pure function of `trackId` (same id → same colour on every frame,
 * camera and process). Saturated and bright so it stands out from both the video and stuff colours.
 */
export function trackColor(trackId: number): Rgb {
  const h = hash32(trackId);
  const hue = (h & 0xffff) / 0x10000;
  const sat = 0.65 + ((h >>> 16) & 0xff) / 255 * 0.3;
  const val = 0.85 + ((h >>> 24) & 0xff) / 255 * 0.15;
  return hsvToRgb(hue, sat, val);
}

/** Colour of a category the renderer has no entry for (hash of its id, darker than track colours). */
export function fallbackCategoryColor(categoryId: number): Rgb {
  const h = hash32(categoryId ^ 0x5bd1e995);
  return hsvToRgb((h & 0xffff) / 0x10000, 0.45, 0.7);
}

/** Near/far bounds of a depth map in its own unit. */
export interface DepthRange {
  /** Depth value drawn at the far end of the colormap. */
  readonly far: number;
  /** Depth value drawn at the near end of the colormap. */
  readonly near: number;
}

const HIST_BINS = 1024;
const histogram = new Uint32Array(HIST_BINS);

/**
 * Robust near/far range of a depth map: the `lowPct`/`highPct` percentiles of finite values, read
 * from a 1024-bin histogram over a strided sample (every `stride`-th pixel), so one bright outlier
 * does not flatten the colours. `depthKind` says which end is near: for `relative-inverse` (disparity-
 * like) larger is nearer, for `metric`/`relative` smaller is nearer. Returns undefined when the map
 * has no finite values.
 */
export function depthRange(depth: Float32Array, depthKind: DepthKind | undefined, lowPct = 2, highPct = 98, stride = 3): DepthRange | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < depth.length; i += stride) {
    const d = depth[i]!;
    if (d < min) min = d; // NaN compares false, so it is skipped
    if (d > max) max = d;
  }
  if (!Number.isFinite(min) || !Number.isFinite(max)) return undefined;
  let lo = min;
  let hi = max;
  if (max > min) {
    histogram.fill(0);
    const scale = (HIST_BINS - 1) / (max - min);
    let n = 0;
    for (let i = 0; i < depth.length; i += stride) {
      const d = depth[i]!;
      if (d >= min && d <= max) {
        histogram[((d - min) * scale) | 0]!++;
        n++;
      }
    }
    const loCount = (n * lowPct) / 100;
    const hiCount = (n * highPct) / 100;
    let acc = 0;
    let loBin = 0;
    let hiBin = HIST_BINS - 1;
    let foundLo = false;
    for (let b = 0; b < HIST_BINS; b++) {
      acc += histogram[b]!;
      if (!foundLo && acc > loCount) {
        loBin = b;
        foundLo = true;
      }
      if (acc >= hiCount) {
        hiBin = b;
        break;
      }
    }
    lo = min + loBin / scale;
    hi = min + (hiBin + 1) / scale;
    if (hi > max) hi = max;
  }
  return depthKind === 'relative-inverse' ? { near: hi, far: lo } : { near: lo, far: hi };
}

/** Maps a depth value to a colormap index 0 (far) … 255 (near), clamped; NaN → 0. */
export function depthToLut(d: number, range: DepthRange): number {
  const span = range.near - range.far;
  if (span === 0) return d === d ? 128 : 0;
  const t = ((d - range.far) / span) * 255;
  return t >= 255 ? 255 : t > 0 ? t | 0 : 0;
}
