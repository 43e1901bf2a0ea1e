/**
 * RGB24 → I420 (YUV 4:2:0 planar) for WebRTC's `RTCVideoSource.onFrame`, BT.601 limited range
 * ("studio swing", Y 16–235, U/V 16–240) — the matrix libwebrtc/libyuv assume for I420 frames.
 * Chroma is the mean of each 2×2 block. Fixed-point with the same integer coefficients and rounding
 * as libyuv's C path (`RGBToUVRow_C`), so the output equals wrtc's `nonstandard.rgbaToI420` exactly.
 */
import { ConfigError } from '../../core/errors.js';
import type { RgbImage } from '../../core/types.js';

/** An I420 frame as `@roamhq/wrtc` `nonstandard.RTCVideoSource.onFrame` takes it. */
export interface I420Frame {
  readonly width: number;
  readonly height: number;
  /** Y plane (width×height), then U, then V (each width/2 × height/2). */
  readonly data: Uint8ClampedArray;
}

/** Bytes of an I420 frame of width×height (both even). */
export const i420Size = (width: number, height: number): number => width * height + 2 * (width >> 1) * (height >> 1);

/**
 * Converts an RGB24 image (even width and height) to I420. Pass `out` (of {@link i420Size} bytes)
 * to reuse a buffer across frames; otherwise one is allocated.
 */
export function rgbToI420(img: RgbImage, out?: Uint8ClampedArray): I420Frame {
  const { width: w, height: h, data: rgb } = img;
  if (!Number.isInteger(w) || !Number.isInteger(h) || w <= 0 || h <= 0 || w % 2 || h % 2)
    throw new ConfigError('image.width', [w, h], 'I420 needs positive even width and height');
  if (rgb.length !== w * h * 3) throw new ConfigError('image.data.length', rgb.length, `expected ${w * h * 3} bytes (RGB24 ${w}×${h})`);
  const size = i420Size(w, h);
  if (out && out.length !== size) throw new ConfigError('out.length', out.length, `expected ${size} bytes for I420 ${w}×${h}`);
  const data = out ?? new Uint8ClampedArray(size);
  const cw = w >> 1;
  const uOff = w * h;
  const vOff = uOff + cw * (h >> 1);
  const stride = w * 3;
  for (let y = 0; y < h; y += 2) {
    let p0 = y * stride;
    let p1 = p0 + stride;
    let yi0 = y * w;
    let yi1 = yi0 + w;
    let ci = (y >> 1) * cw;
    for (let x = 0; x < w; x += 2, p0 += 6, p1 += 6, yi0 += 2, yi1 += 2, ci++) {
      const r00 = rgb[p0]!, g00 = rgb[p0 + 1]!, b00 = rgb[p0 + 2]!;
      const r01 = rgb[p0 + 3]!, g01 = rgb[p0 + 4]!, b01 = rgb[p0 + 5]!;
      const r10 = rgb[p1]!, g10 = rgb[p1 + 1]!, b10 = rgb[p1 + 2]!;
      const r11 = rgb[p1 + 3]!, g11 = rgb[p1 + 4]!, b11 = rgb[p1 + 5]!;
      data[yi0] = (66 * r00 + 129 * g00 + 25 * b00 + 0x1080) >> 8;
      data[yi0 + 1] = (66 * r01 + 129 * g01 + 25 * b01 + 0x1080) >> 8;
      data[yi1] = (66 * r10 + 129 * g10 + 25 * b10 + 0x1080) >> 8;
      data[yi1 + 1] = (66 * r11 + 129 * g11 + 25 * b11 + 0x1080) >> 8;
      // libyuv's rounding: average vertical pairs, then the two results (each rounding half up).
      const r = (((r00 + r10 + 1) >> 1) + ((r01 + r11 + 1) >> 1) + 1) >> 1;
      const g = (((g00 + g10 + 1) >> 1) + ((g01 + g11 + 1) >> 1) + 1) >> 1;
      const b = (((b00 + b10 + 1) >> 1) + ((b01 + b11 + 1) >> 1) + 1) >> 1;
      data[uOff + ci] = (112 * b - 74 * g - 38 * r + 0x8000) >> 8;
      data[vOff + ci] = (112 * r - 94 * g - 18 * b + 0x8000) >> 8;
    }
  }
  return { width: w, height: h, data };
}

/** Reuses one output buffer per size: for a single consumer that copies or sends each frame before the next. */
export class I420Converter {
  private buf?: Uint8ClampedArray;
  convert(img: RgbImage): I420Frame {
    const size = i420Size(img.width, img.height);
    if (!this.buf || this.buf.length !== size) this.buf = new Uint8ClampedArray(size);
    return rgbToI420(img, this.buf);
  }
}
