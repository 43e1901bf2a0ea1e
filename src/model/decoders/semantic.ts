/** Semantic-head helpers shared by the decoders: channel argmax and per-pixel softmax probability. */

/**
 * Per-pixel argmax over `channels` planes of `logits` ([C, P], channel-major). Ties go to the lowest
 * channel (like torch.argmax on CPU). Writes labels into `labels` and the max logit into `maxOut`.
 * Pixel-blocked: 8 neighbouring pixels keep their running max/argmax in registers while the channel loop
 * reads one 32-byte run per plane (the 8 runs of the next block share those cache lines), so the label
 * and max arrays are written once instead of read and written per channel. No per-pixel allocation.
 */
export function argmaxChannels(logits: Float32Array, channels: number, pixels: number, labels: Int32Array, maxOut: Float32Array): void {
  const P = pixels, C = channels;
  let i = 0;
  for (; i + 8 <= P; i += 8) {
    let m0 = logits[i]!, m1 = logits[i + 1]!, m2 = logits[i + 2]!, m3 = logits[i + 3]!;
    let m4 = logits[i + 4]!, m5 = logits[i + 5]!, m6 = logits[i + 6]!, m7 = logits[i + 7]!;
    let l0 = 0, l1 = 0, l2 = 0, l3 = 0, l4 = 0, l5 = 0, l6 = 0, l7 = 0;
    for (let c = 1, b = P + i; c < C; c++, b += P) {
      let v = logits[b]!;
      if (v > m0) {
        m0 = v;
        l0 = c;
      }
      v = logits[b + 1]!;
      if (v > m1) {
        m1 = v;
        l1 = c;
      }
      v = logits[b + 2]!;
      if (v > m2) {
        m2 = v;
        l2 = c;
      }
      v = logits[b + 3]!;
      if (v > m3) {
        m3 = v;
        l3 = c;
      }
      v = logits[b + 4]!;
      if (v > m4) {
        m4 = v;
        l4 = c;
      }
      v = logits[b + 5]!;
      if (v > m5) {
        m5 = v;
        l5 = c;
      }
      v = logits[b + 6]!;
      if (v > m6) {
        m6 = v;
        l6 = c;
      }
      v = logits[b + 7]!;
      if (v > m7) {
        m7 = v;
        l7 = c;
      }
    }
    maxOut[i] = m0;
    maxOut[i + 1] = m1;
    maxOut[i + 2] = m2;
    maxOut[i + 3] = m3;
    maxOut[i + 4] = m4;
    maxOut[i + 5] = m5;
    maxOut[i + 6] = m6;
    maxOut[i + 7] = m7;
    labels[i] = l0;
    labels[i + 1] = l1;
    labels[i + 2] = l2;
    labels[i + 3] = l3;
    labels[i + 4] = l4;
    labels[i + 5] = l5;
    labels[i + 6] = l6;
    labels[i + 7] = l7;
  }
  for (; i < P; i++) {
    let m = logits[i]!, l = 0;
    for (let c = 1; c < C; c++) {
      const v = logits[c * P + i]!;
      if (v > m) {
        m = v;
        l = c;
      }
    }
    maxOut[i] = m;
    labels[i] = l;
  }
}

/**
 * Sum over the pixels listed in `pixelIdx[from..to)` of softmax(logits)[channel(i)] where
 * channel(i) = `channelOf[segOf[i]]`; accumulated per segment into `sums` (length = number of segments).
 * `maxLogit` must hold each pixel's max logit (from {@link argmaxChannels}) for numerical stability.
 * Costs up to C exponentials per listed pixel: channels more than 40 below the max logit are skipped (their
 * terms, < 4e-18 each, change the denominator ≥ 1 by at most C·4e-18 relative; exact on typical logits).
 */
export function accumulateSoftmaxProb(
  logits: Float32Array,
  channels: number,
  pixels: number,
  maxLogit: Float32Array,
  pixelIdx: Int32Array,
  count: number,
  segOf: Int32Array,
  channelOf: Int32Array,
  sums: Float64Array,
  denom: Float64Array,
): void {
  denom.fill(0, 0, count);
  for (let c = 0; c < channels; c++) {
    const base = c * pixels;
    for (let j = 0; j < count; j++) {
      const i = pixelIdx[j]!;
      const e = maxLogit[i]! - logits[base + i]!;
      if (!(e > 40)) denom[j] += expNeg(e); // e^−40 ≈ 4e-18 of the max term (≥ 1): below float64 resolution
    }
  }
  for (let j = 0; j < count; j++) {
    const s = segOf[j]!;
    if (s < 0) continue;
    const i = pixelIdx[j]!;
    sums[s] += expNeg(maxLogit[i]! - logits[channelOf[s]! * pixels + i]!) / denom[j]!;
  }
}

const EXP_STEP = 64;
const EXP_MAX = 64;
const EXP_TABLE = new Float64Array(EXP_MAX * EXP_STEP + 1).map((_, k) => Math.exp(-k / EXP_STEP));

/**
 * exp(−x) for x ≥ 0: table at 1/64 steps × a 4th-order Taylor term for the remainder (relative error
 * < 1e-11, i.e. exact at float32 and well below float64 noise of the sums), ~7× cheaper than Math.exp
 * in V8. Falls back to Math.exp outside [0, 64).
 */
export function expNeg(x: number): number {
  if (!(x >= 0 && x < EXP_MAX)) return Math.exp(-x);
  const k = (x * EXP_STEP) | 0;
  const r = x - k / EXP_STEP;
  return EXP_TABLE[k]! * (1 - r * (1 - r * (0.5 - r * (1 / 6 - r / 24))));
}

/** Grows (or reuses) a scratch typed array so hot paths do not allocate per frame. */
export class Scratch<T extends Float32Array | Float64Array | Int32Array> {
  private buf: T;
  constructor(private readonly make: (n: number) => T) {
    this.buf = make(0);
  }
  get(n: number): T {
    if (this.buf.length < n) this.buf = this.make(Math.max(n, Math.ceil(this.buf.length * 1.5)));
    return this.buf;
  }
}
