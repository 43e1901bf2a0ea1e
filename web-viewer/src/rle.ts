/**
 * COCO run-length encoded masks, decoded in the browser.
 *
 * A COCO RLE is `{ size: [height, width], counts }` where `counts` lists alternating run lengths of 0s and 1s
 * (starting with 0s) over the mask in column-major (Fortran) order. The compressed form stores `counts` as an
 * ASCII string (pycocotools `rleToString`): each count is written in 5-bit groups, least significant first,
 * `0x20` marks "more groups follow", the last group is sign-extended from bit `0x10`, every character is offset
 * by 48, and from the third count on the value is stored as a delta to the count two places earlier.
 */

export interface CocoRle {
  /** [height, width] of the mask in pixels. */
  readonly size: [number, number];
  /** Compressed string (pycocotools) or plain run lengths. */
  readonly counts: string | readonly number[];
}

/** Decodes the compressed counts string into run lengths. Throws a TypeError naming the bad character. */
export function decodeCounts(s: string): number[] {
  const counts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= s.length) throw new TypeError(`rle.counts: truncated at character ${p}`);
      const c = s.charCodeAt(p) - 48;
      if (c < 0 || c > 63) throw new TypeError(`rle.counts: invalid character ${JSON.stringify(s[p])} at ${p}`);
      x |= (c & 0x1f) << (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && (c & 0x10) !== 0) x |= -1 << (5 * k);
    }
    if (counts.length > 2) x += counts[counts.length - 2];
    counts.push(x);
  }
  return counts;
}

/** Run lengths of an RLE, whatever its form. */
export function runLengths(rle: CocoRle): readonly number[] {
  return typeof rle.counts === 'string' ? decodeCounts(rle.counts) : rle.counts;
}

/** A decoded mask in row-major order (1 = inside), with its size. */
export interface BinaryMask {
  readonly width: number;
  readonly height: number;
  /** width*height bytes, row-major. */
  readonly data: Uint8Array;
  /** Number of pixels set. */
  readonly area: number;
}

/** Decodes an RLE into a row-major binary mask. */
export function decodeMask(rle: CocoRle): BinaryMask {
  const [height, width] = rle.size;
  const data = new Uint8Array(width * height);
  const runs = runLengths(rle);
  let pos = 0; // column-major index
  let area = 0;
  const total = width * height;
  for (let i = 0; i < runs.length && pos < total; i++) {
    const n = Math.min(runs[i], total - pos);
    if (i % 2 === 1) {
      for (let j = pos; j < pos + n; j++) {
        const x = Math.floor(j / height);
        const y = j - x * height;
        data[y * width + x] = 1;
      }
      area += n;
    }
    pos += n;
  }
  return { width, height, data, area };
}

/** True when pixel (x, y) (mask coordinates) is inside the RLE mask, without decoding the whole mask. */
export function rleContains(rle: CocoRle, x: number, y: number): boolean {
  const [height, width] = rle.size;
  const xi = Math.floor(x);
  const yi = Math.floor(y);
  if (xi < 0 || yi < 0 || xi >= width || yi >= height) return false;
  const target = xi * height + yi;
  const runs = runLengths(rle);
  let pos = 0;
  for (let i = 0; i < runs.length; i++) {
    pos += runs[i];
    if (target < pos) return i % 2 === 1;
  }
  return false;
}


/** Pixels on the mask's border (inside pixels with an outside 4-neighbour), for an outline. */
export function maskOutline(mask: BinaryMask): BinaryMask {
  const { width, height, data } = mask;
  const out = new Uint8Array(width * height);
  let area = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (data[i] === 0) continue;
      const edge = x === 0 || y === 0 || x === width - 1 || y === height - 1 ||
        data[i - 1] === 0 || data[i + 1] === 0 || data[i - width] === 0 || data[i + width] === 0;
      if (edge) { out[i] = 1; area++; }
    }
  }
  return { width, height, data: out, area };
}
