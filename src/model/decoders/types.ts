/**
 * Contracts shared by the pure panoptic decoders (generalist-pe, panoptic-deeplab). Decoders work at
 * the resolution of the network heads (`width`×`height`); upscaling to the frame is the adapter's job
 * (see {@link upsampleIdsNearest}).
 */
import { ConfigError } from '../../core/errors.js';
import type { Segment } from '../../core/types.js';

/** Decoder output: per-pixel segment ids (0 = void) at head resolution and the segments they reference. */
export interface DecodedPanoptic {
  width: number;
  height: number;
  /** width·height segment ids, row-major; 0 = void. */
  ids: Int32Array;
  segments: Segment[];
  /** Per-pixel depth passed through from the depth head, width·height. */
  depth?: Float32Array;
}

/** Semantic channel c → category; isThing[c]. */
export interface DecoderClasses {
  /** Category id of each semantic channel (length C). */
  categoryIds: readonly number[];
  /** Whether each semantic channel is a thing class (length C). */
  isThing: readonly boolean[];
}

/** Checks `classes` and returns C. */
export function checkClasses(classes: DecoderClasses): number {
  const c = classes.categoryIds.length;
  if (c === 0) throw new ConfigError('classes.categoryIds', classes.categoryIds, 'expected at least one class');
  if (classes.isThing.length !== c)
    throw new ConfigError('classes.isThing', `length ${classes.isThing.length}`, `expected one flag per semantic channel (${c})`);
  return c;
}

/** Checks the head size and a head's length (`channels`·width·height); returns width·height. */
export function checkHead(field: string, data: Float32Array | undefined, channels: number, width: number, height: number): number {
  if (!Number.isInteger(width) || width <= 0) throw new ConfigError('heads.width', width, 'expected a positive integer');
  if (!Number.isInteger(height) || height <= 0) throw new ConfigError('heads.height', height, 'expected a positive integer');
  const p = width * height;
  if (!(data instanceof Float32Array)) throw new ConfigError(field, typeof data, 'expected a Float32Array');
  if (data.length !== channels * p)
    throw new ConfigError(field, `length ${data.length}`, `expected ${channels}×${height}×${width} = ${channels * p} values`);
  return p;
}

/** Positive finite number check for a decoder parameter. */
export function checkParam(field: string, value: number, opts: { min?: number; integer?: boolean; exclusiveMin?: boolean } = {}): void {
  const min = opts.min ?? 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || (opts.integer && !Number.isInteger(value)) || value < min || (opts.exclusiveMin && value === min))
    throw new ConfigError(field, value, `expected a${opts.integer ? 'n integer' : ' number'} ${opts.exclusiveMin ? '>' : '≥'} ${min}`);
}

/**
 * Nearest-neighbour upsampling of an id map (pixel centres: source x = floor((x + 0.5)·w/W)).
 * Segment statistics must be recomputed after resizing (buildSegments).
 */
export function upsampleIdsNearest(ids: Int32Array, width: number, height: number, outWidth: number, outHeight: number): Int32Array {
  const out = new Int32Array(outWidth * outHeight);
  const xs = new Int32Array(outWidth);
  for (let x = 0; x < outWidth; x++) xs[x] = Math.min(width - 1, Math.floor(((x + 0.5) * width) / outWidth));
  for (let y = 0, o = 0; y < outHeight; y++) {
    const row = Math.min(height - 1, Math.floor(((y + 0.5) * height) / outHeight)) * width;
    for (let x = 0; x < outWidth; x++, o++) out[o] = ids[row + xs[x]!]!;
  }
  return out;
}
