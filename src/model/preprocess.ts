/**
 * RGB24 images → model input tensors per the manifest's input spec, and model-output maps → source
 * image pixels. Resize is bilinear with half-pixel centres (OpenCV INTER_LINEAR / align_corners=false,
 * no antialiasing), fused with normalisation, channel order and layout in one pass over the output;
 * index/weight tables are cached per source size and output buffers are reused, so a frame costs no
 * per-pixel allocation.
 *
 * Frames carrying a `scaled` copy are preprocessed from it when it is large enough; their transforms
 * still refer to the full frame, so outputs map back to full resolution.
 *
 * Coordinates: a {@link Transform} maps a source point (x, y) (pixel edges, pixel i spans [i, i+1))
 * to model-input coordinates `mx = x·scaleX + padX`, `my = y·scaleY + padY`.
 */
import { ConfigError } from '../core/errors.js';
import type { RgbImage } from '../core/types.js';
import type { InputSpec } from './manifest.js';
import type { Tensor } from './types.js';

export type ResizeMode = InputSpec['resize'];

/** Exact geometry of one image's placement in the model input. */
export interface Transform {
  /** Nominal uniform scale (model px per source px); equals scaleX/scaleY up to rounding of the content size (except `stretch`). */
  readonly scale: number;
  /** Exact horizontal scale used: contentWidth / srcWidth. */
  readonly scaleX: number;
  /** Exact vertical scale used: contentHeight / srcHeight. */
  readonly scaleY: number;
  /** Left padding in model-input pixels. */
  readonly padX: number;
  /** Top padding in model-input pixels. */
  readonly padY: number;
  /** Size of the resized image inside the model input. */
  readonly contentWidth: number;
  readonly contentHeight: number;
  readonly srcWidth: number;
  readonly srcHeight: number;
  /** Model input size. */
  readonly dstWidth: number;
  readonly dstHeight: number;
}

/** Geometry of placing a srcWidth×srcHeight image into a dstWidth×dstHeight input. */
export function computeTransform(srcWidth: number, srcHeight: number, dstWidth: number, dstHeight: number, mode: ResizeMode): Transform {
  if (!(srcWidth > 0 && srcHeight > 0)) throw new ConfigError('image.size', `${srcWidth}x${srcHeight}`, 'image must be at least 1×1');
  if (mode === 'stretch') {
    const sx = dstWidth / srcWidth;
    const sy = dstHeight / srcHeight;
    return { scale: Math.min(sx, sy), scaleX: sx, scaleY: sy, padX: 0, padY: 0, contentWidth: dstWidth, contentHeight: dstHeight, srcWidth, srcHeight, dstWidth, dstHeight };
  }
  const r = Math.min(dstWidth / srcWidth, dstHeight / srcHeight);
  const cw = Math.max(1, Math.min(dstWidth, Math.round(srcWidth * r)));
  const ch = Math.max(1, Math.min(dstHeight, Math.round(srcHeight * r)));
  // Same rounding as Ultralytics' LetterBox (round(d/2 − 0.1)), so YOLO outputs line up exactly.
  const padX = mode === 'letterbox' ? Math.max(0, Math.round((dstWidth - cw) / 2 - 0.1)) : 0;
  const padY = mode === 'letterbox' ? Math.max(0, Math.round((dstHeight - ch) / 2 - 0.1)) : 0;
  return { scale: r, scaleX: cw / srcWidth, scaleY: ch / srcHeight, padX, padY, contentWidth: cw, contentHeight: ch, srcWidth, srcHeight, dstWidth, dstHeight };
}

/** The transform `t` (computed for a resized copy of an image) re-expressed for the image at width×height. */
export function rescaleTransform(t: Transform, width: number, height: number): Transform {
  const kx = t.srcWidth / width;
  const ky = t.srcHeight / height;
  return { ...t, scale: t.scale * Math.min(kx, ky), scaleX: t.scaleX * kx, scaleY: t.scaleY * ky, srcWidth: width, srcHeight: height };
}

/** Model-input point → source image point. */
export function modelToSource(mx: number, my: number, t: Transform): [number, number] {
  return [(mx - t.padX) / t.scaleX, (my - t.padY) / t.scaleY];
}

/** Source image point → model-input point. */
export function sourceToModel(x: number, y: number, t: Transform): [number, number] {
  return [x * t.scaleX + t.padX, y * t.scaleY + t.padY];
}

interface Tables {
  /** Per content column: byte offset of the left/right source pixel, and right weight. */
  x0: Int32Array;
  x1: Int32Array;
  fx: Float32Array;
  /** Per content row: byte offset of the top/bottom source row, and bottom weight. */
  y0: Int32Array;
  y1: Int32Array;
  fy: Float32Array;
}

/** Half-pixel bilinear source indices for `dst` samples over `src` pixels. */
function axisTable(src: number, dst: number, stride: number, rowStride: number): { i0: Int32Array; i1: Int32Array; f: Float32Array } {
  const i0 = new Int32Array(dst);
  const i1 = new Int32Array(dst);
  const f = new Float32Array(dst);
  const ratio = src / dst;
  for (let d = 0; d < dst; d++) {
    let s = (d + 0.5) * ratio - 0.5;
    if (s < 0) s = 0;
    let a = Math.floor(s);
    if (a > src - 1) a = src - 1;
    const b = a + 1 < src ? a + 1 : src - 1;
    i0[d] = a * stride * rowStride;
    i1[d] = b * stride * rowStride;
    f[d] = s - a > 1 ? 1 : s - a;
  }
  return { i0, i1, f };
}

/**
 * Writes images into one batched input tensor per `spec`. Holds reusable buffers: the returned
 * tensor's data is valid until the next {@link Preprocessor.run} call (callers that run one batch at
 * a time, like the family adapters, need no copy).
 */
export class Preprocessor {
  private buffer: Float32Array | Uint8Array | undefined;
  private readonly tables = new Map<string, Tables>();
  private rowA = new Float32Array(0);
  private rowB = new Float32Array(0);
  private readonly a: Float32Array;
  private readonly b: Float32Array;
  /** Destination channel for source channel c (RGB → RGB or BGR). */
  private readonly dc: Int32Array;
  readonly imageSize: number;

  constructor(readonly spec: InputSpec) {
    const raw = spec.dtype === 'uint8';
    this.a = Float32Array.from([0, 1, 2], (c) => (raw ? 1 : spec.scale / spec.std[c]!));
    this.b = Float32Array.from([0, 1, 2], (c) => (raw ? 0 : -spec.mean[c]! / spec.std[c]!));
    this.dc = spec.channelOrder === 'BGR' ? Int32Array.of(2, 1, 0) : Int32Array.of(0, 1, 2);
    this.imageSize = spec.width * spec.height * 3;
  }

  /** Tensor dims for a batch of `n`. */
  dims(n: number): number[] {
    const { width: w, height: h } = this.spec;
    return this.spec.layout === 'NCHW' ? [n, 3, h, w] : [n, h, w, 3];
  }

  /** Preprocesses `images` into one [N,…] tensor; `transforms[i]` maps image i. */
  run(images: readonly RgbImage[]): { tensor: Tensor; transforms: Transform[] } {
    const n = images.length;
    const need = n * this.imageSize;
    if (!this.buffer || this.buffer.length < need) this.buffer = this.spec.dtype === 'uint8' ? new Uint8Array(need) : new Float32Array(need);
    const transforms = images.map((img, i) => {
      const src = this.sourceOf(img);
      const t = this.writeImage(src, this.buffer!, i * this.imageSize);
      return src === img ? t : rescaleTransform(t, img.width, img.height);
    });
    const data = this.buffer.length === need ? this.buffer : this.buffer.subarray(0, need);
    return { tensor: { type: this.spec.dtype, dims: this.dims(n), data }, transforms };
  }

  /**
   * The pixels to read for `img`: a frame's `scaled` copy (ingest's second output, e.g. 640×360) when it
   * has at least the resolution the model input needs — it is cheaper to resize — else the image itself.
   */
  private sourceOf(img: RgbImage): RgbImage {
    const scaled = (img as { scaled?: RgbImage }).scaled;
    if (!scaled || scaled === img || scaled.width <= 0 || scaled.height <= 0) return img;
    const t = computeTransform(scaled.width, scaled.height, this.spec.width, this.spec.height, this.spec.resize);
    return t.contentWidth <= scaled.width && t.contentHeight <= scaled.height ? scaled : img;
  }

  /** Writes one image at `offset` (elements) of `out`; returns its transform. */
  writeImage(img: RgbImage, out: Float32Array | Uint8Array, offset: number): Transform {
    const { width: W, height: H, layout, resize } = this.spec;
    if (img.data.length < img.width * img.height * 3)
      throw new ConfigError('image.data', img.data.length, `too short for ${img.width}x${img.height} RGB24 (${img.width * img.height * 3} bytes)`);
    const t = computeTransform(img.width, img.height, W, H, resize);
    const tb = this.tablesFor(img.width, img.height, t.contentWidth, t.contentHeight);
    const nchw = layout === 'NCHW';
    const plane = W * H;
    // Element strides in the output: per pixel (x), per row (y), per channel.
    const px = nchw ? 1 : 3;
    const row = nchw ? W : W * 3;
    const ch = nchw ? plane : 1;
    const round = out instanceof Uint8Array;
    if (t.contentWidth !== W || t.contentHeight !== H) this.fillPad(out, offset, t, px, row, ch);
    const a0 = this.a[0]!, a1 = this.a[1]!, a2 = this.a[2]!;
    const b0 = this.b[0]!, b1 = this.b[1]!, b2 = this.b[2]!;
    const o0 = this.dc[0]! * ch, o1 = this.dc[1]! * ch, o2 = this.dc[2]! * ch;
    const src = img.data;
    const { x0, x1, fx, y0, y1, fy } = tb;
    const cw = t.contentWidth;
    // Separable: each needed source row is interpolated horizontally once into a row buffer (two
    // are kept, consecutive output rows mostly share one), then rows are blended vertically and
    // normalised straight into the output. Same arithmetic as a direct 4-tap bilinear.
    const n = cw * 3;
    if (this.rowA.length < n) {
      this.rowA = new Float32Array(n);
      this.rowB = new Float32Array(n);
    }
    let ra = this.rowA, rb = this.rowB;
    let keyA = -1, keyB = -1;
    for (let y = 0; y < t.contentHeight; y++) {
      const r0 = y0[y]!, r1 = y1[y]!, wy = fy[y]!;
      if (keyA !== r0) {
        if (keyB === r0) {
          const tmp = ra; ra = rb; rb = tmp;
          keyA = keyB; keyB = -1;
        } else {
          hlerpRow(src, r0, x0, x1, fx, cw, ra);
          keyA = r0;
        }
      }
      if (keyB !== r1) {
        hlerpRow(src, r1, x0, x1, fx, cw, rb);
        keyB = r1;
      }
      const o = offset + (y + t.padY) * row + t.padX * px;
      if (round) vblendRaw(ra, rb, wy, cw, out, o, px, o0, o1, o2);
      else vblendNorm(ra, rb, wy, cw, out as Float32Array, o, px, o0, o1, o2, a0, b0, a1, b1, a2, b2);
    }
    return t;
  }

  private fillPad(out: Float32Array | Uint8Array, offset: number, t: Transform, px: number, row: number, ch: number): void {
    const { width: W, height: H, padValue } = this.spec;
    const raw = out instanceof Uint8Array;
    for (let c = 0; c < 3; c++) {
      const v = raw ? Math.round(padValue) : padValue * this.a[c]! + this.b[c]!;
      const oc = offset + this.dc[c]! * ch;
      for (let y = 0; y < H; y++) {
        const inRows = y >= t.padY && y < t.padY + t.contentHeight;
        const base = oc + y * row;
        if (px === 1) {
          // NCHW: contiguous runs, native fill
          if (!inRows) out.fill(v, base, base + W);
          else {
            if (t.padX > 0) out.fill(v, base, base + t.padX);
            if (t.padX + t.contentWidth < W) out.fill(v, base + t.padX + t.contentWidth, base + W);
          }
          continue;
        }
        if (!inRows) {
          for (let x = 0; x < W; x++) out[base + x * px] = v;
          continue;
        }
        for (let x = 0; x < t.padX; x++) out[base + x * px] = v;
        for (let x = t.padX + t.contentWidth; x < W; x++) out[base + x * px] = v;
      }
    }
  }

  private tablesFor(sw: number, sh: number, cw: number, chh: number): Tables {
    const key = `${sw}x${sh}>${cw}x${chh}`;
    let tb = this.tables.get(key);
    if (!tb) {
      const xs = axisTable(sw, cw, 3, 1);
      const ys = axisTable(sh, chh, 3, sw);
      tb = { x0: xs.i0, x1: xs.i1, fx: xs.f, y0: ys.i0, y1: ys.i1, fy: ys.f };
      if (this.tables.size >= 16) this.tables.delete(this.tables.keys().next().value!);
      this.tables.set(key, tb);
    }
    return tb;
  }
}

/** Horizontal bilinear pass of one source row (byte offset `r`) into `dst` (cw×3). */
function hlerpRow(src: Uint8Array, r: number, x0: Int32Array, x1: Int32Array, fx: Float32Array, cw: number, dst: Float32Array): void {
  for (let x = 0, k = 0; x < cw; x++, k += 3) {
    const p = r + x0[x]!, q = r + x1[x]!, w = fx[x]!;
    const s0 = src[p]!, s1 = src[p + 1]!, s2 = src[p + 2]!;
    dst[k] = s0 + (src[q]! - s0) * w;
    dst[k + 1] = s1 + (src[q + 1]! - s1) * w;
    dst[k + 2] = s2 + (src[q + 2]! - s2) * w;
  }
}

/** Vertical blend of two row buffers, normalised, into a float output. */
function vblendNorm(ra: Float32Array, rb: Float32Array, wy: number, cw: number, out: Float32Array, o: number, px: number, o0: number, o1: number, o2: number, a0: number, b0: number, a1: number, b1: number, a2: number, b2: number): void {
  for (let x = 0, k = 0; x < cw; x++, k += 3, o += px) {
    const u0 = ra[k]!, u1 = ra[k + 1]!, u2 = ra[k + 2]!;
    out[o + o0] = (u0 + (rb[k]! - u0) * wy) * a0 + b0;
    out[o + o1] = (u1 + (rb[k + 1]! - u1) * wy) * a1 + b1;
    out[o + o2] = (u2 + (rb[k + 2]! - u2) * wy) * a2 + b2;
  }
}

/** Vertical blend into a uint8 output (rounded). */
function vblendRaw(ra: Float32Array, rb: Float32Array, wy: number, cw: number, out: Float32Array | Uint8Array, o: number, px: number, o0: number, o1: number, o2: number): void {
  for (let x = 0, k = 0; x < cw; x++, k += 3, o += px) {
    const u0 = ra[k]!, u1 = ra[k + 1]!, u2 = ra[k + 2]!;
    out[o + o0] = u0 + (rb[k]! - u0) * wy + 0.5;
    out[o + o1] = u1 + (rb[k + 1]! - u1) * wy + 0.5;
    out[o + o2] = u2 + (rb[k + 2]! - u2) * wy + 0.5;
  }
}

/** Map coordinate (in map pixels, continuous) of each source pixel centre along one axis. */
function sourceAxisToMap(n: number, scale: number, pad: number, dst: number, map: number): Float64Array {
  const out = new Float64Array(n);
  const k = map / dst;
  for (let i = 0; i < n; i++) out[i] = ((i + 0.5) * scale + pad) * k;
  return out;
}

type LabelMap = Int32Array | Uint8Array | Uint16Array | Int16Array | Int8Array | BigInt64Array;

/**
 * Nearest-neighbour resize of a model-output label map (mapWidth×mapHeight, covering the whole model
 * input incl. padding) back to the source image (t.srcWidth×t.srcHeight), removing the letterbox.
 */
export function labelsToSource(labels: LabelMap, mapWidth: number, mapHeight: number, t: Transform, out?: Int32Array): Int32Array {
  const W = t.srcWidth, H = t.srcHeight;
  const res = out && out.length === W * H ? out : new Int32Array(W * H);
  const ux = sourceAxisToMap(W, t.scaleX, t.padX, t.dstWidth, mapWidth);
  const uy = sourceAxisToMap(H, t.scaleY, t.padY, t.dstHeight, mapHeight);
  const xi = new Int32Array(W);
  for (let x = 0; x < W; x++) xi[x] = Math.min(mapWidth - 1, Math.max(0, Math.floor(ux[x]!)));
  const big = labels instanceof BigInt64Array;
  for (let y = 0, i = 0; y < H; y++) {
    const r = Math.min(mapHeight - 1, Math.max(0, Math.floor(uy[y]!))) * mapWidth;
    if (big) for (let x = 0; x < W; x++, i++) res[i] = Number((labels as BigInt64Array)[r + xi[x]!]!);
    else for (let x = 0; x < W; x++, i++) res[i] = (labels as Int32Array)[r + xi[x]!]!;
  }
  return res;
}

/**
 * Bilinear resize (half-pixel centres) of `channels` planar float maps ([C, mapHeight, mapWidth],
 * covering the whole model input) back to the source image ([C, srcHeight, srcWidth]), removing the
 * letterbox. Values are multiplied by `valueScale[c]` (e.g. offsets measured in map pixels become
 * source pixels with 1/(scaleX·mapWidth/dstWidth)); default 1.
 */
export function floatToSource(map: Float32Array, mapWidth: number, mapHeight: number, t: Transform, opts: { channels?: number; valueScale?: readonly number[]; out?: Float32Array } = {}): Float32Array {
  const C = opts.channels ?? 1;
  const W = t.srcWidth, H = t.srcHeight;
  const res = opts.out && opts.out.length === C * W * H ? opts.out : new Float32Array(C * W * H);
  const ux = sourceAxisToMap(W, t.scaleX, t.padX, t.dstWidth, mapWidth);
  const uy = sourceAxisToMap(H, t.scaleY, t.padY, t.dstHeight, mapHeight);
  const xa = new Int32Array(W), xb = new Int32Array(W), wx = new Float32Array(W);
  for (let x = 0; x < W; x++) {
    const s = Math.min(mapWidth - 1, Math.max(0, ux[x]! - 0.5));
    const a = Math.floor(s);
    xa[x] = a;
    xb[x] = Math.min(mapWidth - 1, a + 1);
    wx[x] = s - a;
  }
  const plane = mapWidth * mapHeight;
  for (let c = 0; c < C; c++) {
    const k = opts.valueScale?.[c] ?? 1;
    const base = c * plane;
    for (let y = 0, i = c * W * H; y < H; y++) {
      const s = Math.min(mapHeight - 1, Math.max(0, uy[y]! - 0.5));
      const ya = Math.floor(s);
      const wy = s - ya;
      const r0 = base + ya * mapWidth;
      const r1 = base + Math.min(mapHeight - 1, ya + 1) * mapWidth;
      for (let x = 0; x < W; x++, i++) {
        const f = wx[x]!;
        const top = map[r0 + xa[x]!]! + (map[r0 + xb[x]!]! - map[r0 + xa[x]!]!) * f;
        const bot = map[r1 + xa[x]!]! + (map[r1 + xb[x]!]! - map[r1 + xa[x]!]!) * f;
        res[i] = (top + (bot - top) * wy) * k;
      }
    }
  }
  return res;
}
