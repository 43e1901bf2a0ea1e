/**
 * Vote histogram of the generalist PE-centroid decoder (steps 1–4 of `generalist-pe.ts`): bin palette,
 * per-pixel votes exp(−d/T) with d = ‖x̂ − γ(a)‖ (one block, u or v), H = E_xᵀ·E_y and its strict
 * 8-neighbour maxima. Two forms of the histogram:
 * - dense (the paper's): every voter votes for every bin, an O(voters·n²) register-blocked product;
 * - windowed: each voter votes only for the (2w+1)² bins around its nearest bin (found by unwrapping the
 *   phases of its harmonics), O(voters·w²). exp(−d/T) beyond w bins is below exp(−0.89·w/T) (one bin is
 *   ‖Δγ‖ ≈ 0.89 at n = 64, L = 4), i.e. < 3e-5 at w = 3, T = 0.25, so the dropped mass is negligible.
 * Voters' embedding blocks are gathered first, voter-major ([count × 2L], see {@link gatherBlock}).
 */
import { gamma1d } from '../pe.js';
import { expNeg, Scratch } from './semantic.js';

const paletteCache = new Map<string, Float32Array>();
/** γ(a_i) for the n bin centres a_i = −1 + 2i/(n+1), i = 1…n, [n × 2L]. */
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

/**
 * Copies one block (u at `blockOffset` 0, v at 2L) of the listed pixels' embeddings into `out`
 * ([count × 2L], voter-major) and their squared norms into `norm2`.
 */
export function gatherBlock(inst: Float32Array, pixels: number, blockOffset: number, twoL: number, list: Int32Array, count: number, out: Float32Array, norm2: Float32Array): void {
  for (let c = 0; c < twoL; c++) {
    const base = (blockOffset + c) * pixels;
    for (let j = 0, o = c; j < count; j++, o += twoL) out[o] = inst[base + list[j]!]!;
  }
  for (let j = 0, o = 0; j < count; j++, o += twoL) {
    let s = 0;
    for (let c = 0; c < twoL; c++) s += out[o + c]! * out[o + c]!;
    norm2[j] = s;
  }
}

/** ‖x − g‖ from ‖x‖², ‖g‖² and x·g; rounding below 0 → 0, NaN → ∞ (a NaN embedding casts no vote). */
function dist(n2: number, g2: number, dot: number): number {
  const d2 = n2 + g2 - 2 * dot;
  return d2 > 0 ? Math.sqrt(d2) : d2 === d2 ? 0 : Infinity;
}

/**
 * Dense votes exp(−d/T) of one gathered block to every bin, bin-major ([n × count]; `votes` has
 * nPad = n rounded up to 4 rows, the padding rows must be zero).
 */
export function denseBlockVotes(x: Float32Array, norm2: Float32Array, count: number, twoL: number, pal: Float32Array, bins: number, invT: number, votes: Float32Array): void {
  const L = twoL / 2; // ‖γ(a)‖² = L
  for (let a = 0; a < bins; a++) {
    const row = a * count, q = a * twoL;
    for (let j = 0, o = 0; j < count; j++, o += twoL) {
      let dot = 0;
      for (let c = 0; c < twoL; c++) dot += x[o + c]! * pal[q + c]!;
      votes[row + j] = expNeg(dist(norm2[j]!, L, dot) * invT);
    }
  }
}

/**
 * H[a·n + b] = Σ_j Ex[a,j]·Ey[b,j], votes bin-major ([nPad × count], padding rows zero): a 4×4
 * register-blocked matrix product, exact in float64 accumulation.
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

/**
 * Coordinate u ∈ [−1, 1] whose γ(u) is nearest in phase to the block `x[o…o+2L)`: the first harmonic's
 * angle atan2(sin, cos)/π, refined harmonic by harmonic (each picks the branch 2m/2^k nearest the
 * previous estimate). Exact for a noiseless γ(u); NaN for a NaN block.
 */
export function unwrapCoord(x: Float32Array, o: number, harmonics: number): number {
  let u = Math.atan2(x[o]!, x[o + 1]!) / Math.PI;
  let scale = 1;
  for (let k = 1; k < harmonics; k++) {
    scale *= 2;
    const uk = Math.atan2(x[o + 2 * k]!, x[o + 2 * k + 1]!) / (Math.PI * scale);
    u = uk + (2 * Math.round(((u - uk) * scale) / 2)) / scale;
  }
  return u;
}

const sWx = new Scratch((n) => new Float64Array(n));
const sWy = new Scratch((n) => new Float64Array(n));

/**
 * Windowed histogram: voter j votes exp(−d/T) only for bins within ±`window` (per axis) of the bins
 * nearest to its unwrapped (u, v), accumulated into `h` (n×n, zeroed by the caller).
 */
export function windowedHistogram(
  x: Float32Array, xn2: Float32Array, y: Float32Array, yn2: Float32Array, count: number, harmonics: number,
  pal: Float32Array, bins: number, invT: number, window: number, h: Float64Array,
): void {
  const twoL = 2 * harmonics;
  const span = 2 * window + 1;
  const wx = sWx.get(span), wy = sWy.get(span);
  const half = (bins + 1) / 2;
  for (let j = 0, o = 0; j < count; j++, o += twoL) {
    const u = unwrapCoord(x, o, harmonics), v = unwrapCoord(y, o, harmonics);
    if (!(u === u && v === v)) continue; // NaN embedding: no vote
    const a0 = Math.max(0, Math.min(bins - span, Math.round((u + 1) * half) - 1 - window));
    const b0 = Math.max(0, Math.min(bins - span, Math.round((v + 1) * half) - 1 - window));
    const na = Math.min(span, bins), nb = na;
    if (twoL === 8) {
      // L = 4 (the default) unrolled: the voter's blocks stay in registers; same sums in the same order.
      const x0 = x[o]!, x1 = x[o + 1]!, x2 = x[o + 2]!, x3 = x[o + 3]!, x4 = x[o + 4]!, x5 = x[o + 5]!, x6 = x[o + 6]!, x7 = x[o + 7]!;
      const y0 = y[o]!, y1 = y[o + 1]!, y2 = y[o + 2]!, y3 = y[o + 3]!, y4 = y[o + 4]!, y5 = y[o + 5]!, y6 = y[o + 6]!, y7 = y[o + 7]!;
      const nx = xn2[j]!, ny = yn2[j]!;
      for (let i = 0; i < na; i++) {
        const q = (a0 + i) * 8, r = (b0 + i) * 8;
        const dx = 0 + x0 * pal[q]! + x1 * pal[q + 1]! + x2 * pal[q + 2]! + x3 * pal[q + 3]! + x4 * pal[q + 4]! + x5 * pal[q + 5]! + x6 * pal[q + 6]! + x7 * pal[q + 7]!;
        const dy = 0 + y0 * pal[r]! + y1 * pal[r + 1]! + y2 * pal[r + 2]! + y3 * pal[r + 3]! + y4 * pal[r + 4]! + y5 * pal[r + 5]! + y6 * pal[r + 6]! + y7 * pal[r + 7]!;
        wx[i] = expNeg(dist(nx, harmonics, dx) * invT);
        wy[i] = expNeg(dist(ny, harmonics, dy) * invT);
      }
    } else for (let i = 0; i < na; i++) {
      const q = (a0 + i) * twoL, r = (b0 + i) * twoL;
      let dx = 0, dy = 0;
      for (let c = 0; c < twoL; c++) {
        dx += x[o + c]! * pal[q + c]!;
        dy += y[o + c]! * pal[r + c]!;
      }
      wx[i] = expNeg(dist(xn2[j]!, harmonics, dx) * invT);
      wy[i] = expNeg(dist(yn2[j]!, harmonics, dy) * invT);
    }
    for (let i = 0; i < na; i++) {
      const e = wx[i]!;
      if (e < 1e-12) continue;
      const row = (a0 + i) * bins + b0;
      for (let k = 0; k < nb; k++) h[row + k] += e * wy[k]!;
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
