/** Semantic-head helpers shared by the decoders: channel argmax and per-pixel softmax probability. */

/**
 * Per-pixel argmax over `channels` planes of `logits` ([C, P], channel-major). Ties go to the lowest
 * channel (like torch.argmax on CPU). Writes labels into `labels` and the max logit into `maxOut`.
 * Channel-major loop: sequential reads, no per-pixel allocation.
 */
export function argmaxChannels(logits: Float32Array, channels: number, pixels: number, labels: Int32Array, maxOut: Float32Array): void {
  maxOut.set(logits.subarray(0, pixels));
  labels.fill(0, 0, pixels);
  for (let c = 1; c < channels; c++) {
    const base = c * pixels;
    for (let i = 0; i < pixels; i++) {
      const v = logits[base + i]!;
      if (v > maxOut[i]!) {
        maxOut[i] = v;
        labels[i] = c;
      }
    }
  }
}

/**
 * Sum over the pixels listed in `pixelIdx[from..to)` of softmax(logits)[channel(i)] where
 * channel(i) = `channelOf[segOf[i]]`; accumulated per segment into `sums` (length = number of segments).
 * `maxLogit` must hold each pixel's max logit (from {@link argmaxChannels}) for numerical stability.
 * Costs C exponentials per listed pixel.
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
      denom[j] += expNeg(maxLogit[i]! - logits[base + i]!);
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
