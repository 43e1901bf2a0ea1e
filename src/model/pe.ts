/**
 * Spectral positional embedding of a 2-D point (generalist PE-centroid paper):
 * γ(p) = [sin(2^k·π·p), cos(2^k·π·p)] for k = 0 … L−1, and the embedding of (u, v) is γ(u) ⊕ γ(v)
 * (4L values). u, v ∈ [−1, 1] are the point normalised to the image: u = 2x/W − 1, v = 2y/H − 1
 * with x, y pixel-centre coordinates in [0, W], [0, H].
 *
 * Channel layout (this is the contract for model outputs too): for k in 0..L−1 the u block is
 * [sin_0, cos_0, sin_1, cos_1, …] (2L values), followed by the v block in the same order.
 */

/** Default number of harmonics (L = 4 → 16 channels, best in the paper's ablation). */
export const DEFAULT_HARMONICS = 4;

/** Writes γ(p) (2L values) into `out` at `offset`. */
export function gamma1d(p: number, harmonics: number, out: Float32Array, offset = 0): void {
  let f = Math.PI;
  for (let k = 0; k < harmonics; k++) {
    out[offset + 2 * k] = Math.sin(f * p);
    out[offset + 2 * k + 1] = Math.cos(f * p);
    f *= 2;
  }
}

/** γ(u) ⊕ γ(v) for normalised coordinates u, v ∈ [−1, 1]. */
export function peEmbedding(u: number, v: number, harmonics = DEFAULT_HARMONICS): Float32Array {
  const out = new Float32Array(4 * harmonics);
  gamma1d(u, harmonics, out, 0);
  gamma1d(v, harmonics, out, 2 * harmonics);
  return out;
}

/** Normalises a pixel coordinate to [−1, 1] (x in pixels, extent W): u = 2x/W − 1. */
export function normCoord(x: number, extent: number): number {
  return (2 * x) / extent - 1;
}

/** Embedding of a centroid given in pixels of a width×height image. */
export function centroidEmbedding(cx: number, cy: number, width: number, height: number, harmonics = DEFAULT_HARMONICS): Float32Array {
  return peEmbedding(normCoord(cx, width), normCoord(cy, height), harmonics);
}

/** Euclidean distance between two embeddings of equal length. */
export function embeddingDistance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return Math.sqrt(s);
}
