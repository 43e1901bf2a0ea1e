/**
 * COCO run-length encoding, byte-compatible with pycocotools (`maskUtils.encode` / `decode`):
 * runs over the mask in column-major (Fortran) order, starting with a run of zeros (possibly 0 long),
 * and the compressed `counts` string of `rleToString` — each count (from the 4th on, as a delta to
 * the count two before) written as signed 5-bit groups, least significant first, 0x20 = "more",
 * 0x10 = sign of the last group, offset by 48 into ASCII '0'..'o'.
 */
import { ConfigError } from '../../core/errors.js';

/** A COCO compressed RLE object as pycocotools writes it to JSON. */
export interface CocoRle {
  /** [height, width] */
  size: [number, number];
  counts: string;
}

/** Encodes run lengths to the compressed counts string (pycocotools `rleToString`). */
export function countsToString(counts: ArrayLike<number>): string {
  const chars: number[] = [];
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i]!;
    if (i > 2) x -= counts[i - 2]!; // pycocotools quirk: deltas start at index 3, not 2
    let more = true;
    while (more) {
      // Arithmetic on doubles: x may exceed 32 bits of 5-bit groups for huge images.
      let c = ((x % 32) + 32) % 32;
      x = Math.floor(x / 32);
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      chars.push(c + 48);
    }
  }
  return Buffer.from(chars).toString('latin1'); // no spread: masks can have 100k+ runs
}

/** Decodes a compressed counts string (pycocotools `rleFrString`). Throws on characters outside '0'..'o'. */
export function countsFromString(s: string, field = 'counts'): number[] {
  const counts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= s.length) throw new ConfigError(field, s.length > 40 ? `${s.slice(0, 40)}…` : s, 'truncated RLE string');
      const c = s.charCodeAt(p) - 48;
      if (c < 0 || c > 63) throw new ConfigError(field, s[p], `invalid RLE character at offset ${p}`);
      x += (c & 0x1f) * 2 ** (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && c & 0x10) x -= 2 ** (5 * k); // sign-extend
    }
    if (counts.length > 2) x += counts[counts.length - 2]!;
    counts.push(x);
  }
  return counts;
}

/** Run lengths of a row-major binary mask (non-zero = 1), in COCO's column-major order. */
export function maskToCounts(mask: ArrayLike<number>, width: number, height: number): number[] {
  if (mask.length !== width * height) throw new ConfigError('mask.length', mask.length, `expected ${width}×${height} = ${width * height}`);
  const counts: number[] = [];
  let cur = 0;
  let run = 0;
  for (let x = 0; x < width; x++) {
    for (let y = 0, i = x; y < height; y++, i += width) {
      const v = mask[i] ? 1 : 0;
      if (v === cur) run++;
      else {
        counts.push(run);
        cur = v;
        run = 1;
      }
    }
  }
  counts.push(run);
  return counts;
}

/** Encodes a row-major binary mask as COCO compressed RLE. */
export function encodeRle(mask: ArrayLike<number>, width: number, height: number): CocoRle {
  return { size: [height, width], counts: countsToString(maskToCounts(mask, width, height)) };
}

/** Decodes COCO compressed RLE to a row-major mask of 0/1 bytes. Throws when the runs do not cover h×w. */
export function decodeRle(rle: CocoRle): Uint8Array {
  const [h, w] = rle.size;
  if (!Number.isInteger(h) || !Number.isInteger(w) || h < 0 || w < 0) throw new ConfigError('size', rle.size, 'expected [height, width] non-negative integers');
  const counts = countsFromString(rle.counts);
  const total = counts.reduce((a, b) => a + b, 0);
  if (total !== h * w || counts.some((c) => c < 0)) throw new ConfigError('counts', rle.counts, `runs cover ${total} pixels, expected ${h}×${w} = ${h * w}`);
  const mask = new Uint8Array(h * w);
  let pos = 0;
  for (let r = 0; r < counts.length; r++) {
    const end = pos + counts[r]!;
    if (r & 1) for (let j = pos; j < end; j++) mask[(j % h) * w + Math.floor(j / h)] = 1;
    pos = end;
  }
  return mask;
}

/**
 * COCO RLE of segment `id` straight from a panoptic id map, without building a mask: only the
 * columns of `bbox` ([x, y, w, h]) are scanned; the other columns are known zeros.
 */
export function segmentRle(ids: Int32Array, width: number, height: number, id: number, bbox: readonly [number, number, number, number]): CocoRle {
  const x0 = Math.max(0, Math.floor(bbox[0]));
  const x1 = Math.min(width, Math.ceil(bbox[0] + bbox[2]));
  const counts: number[] = [];
  let cur = 0;
  let run = x0 * height;
  for (let x = x0; x < x1; x++) {
    for (let y = 0, i = x; y < height; y++, i += width) {
      const v = ids[i] === id ? 1 : 0;
      if (v === cur) run++;
      else {
        counts.push(run);
        cur = v;
        run = 1;
      }
    }
  }
  const rest = (width - Math.max(x0, x1)) * height;
  if (rest > 0) {
    if (cur === 0) run += rest;
    else {
      counts.push(run);
      run = rest;
    }
  }
  counts.push(run);
  return { size: [height, width], counts: countsToString(counts) };
}
