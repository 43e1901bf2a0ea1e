/**
 * Segment statistics from a per-pixel id map: area, bbox, centroid (centre of mass of pixel centres),
 * the centroid's spectral embedding and per-segment depth stats. One pass over the pixels plus one
 * pass per depth-bearing segment for the median; no per-pixel allocation.
 */
import type { BBox, Segment } from '../core/types.js';
import { centroidEmbedding, DEFAULT_HARMONICS } from './pe.js';

export interface SegmentInfo {
  /** Segment id as written in the id map (> 0). */
  id: number;
  categoryId: number;
  isThing: boolean;
  score?: number;
  /** Optional embedding (e.g. generalist-pe's mean predicted PE); default is γ(centroid). */
  embedding?: Float32Array;
}

export interface SegmentStatsOptions {
  harmonics?: number;
  depth?: Float32Array;
}

/**
 * Builds full {@link Segment}s for `infos` from `ids` (width×height). Segments with zero area are
 * dropped. Pixel centres are at (x + 0.5, y + 0.5).
 */
export function buildSegments(ids: Int32Array, width: number, height: number, infos: SegmentInfo[], opts: SegmentStatsOptions = {}): Segment[] {
  const harmonics = opts.harmonics ?? DEFAULT_HARMONICS;
  let maxId = 0;
  for (const s of infos) if (s.id > maxId) maxId = s.id;
  const n = maxId + 1;
  const area = new Float64Array(n);
  const sx = new Float64Array(n);
  const sy = new Float64Array(n);
  const x0 = new Int32Array(n).fill(width);
  const y0 = new Int32Array(n).fill(height);
  const x1 = new Int32Array(n).fill(-1);
  const y1 = new Int32Array(n).fill(-1);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      const id = ids[i]!;
      if (id <= 0 || id >= n) continue;
      area[id]++;
      sx[id] += x;
      sy[id] += y;
      if (x < x0[id]!) x0[id] = x;
      if (x > x1[id]!) x1[id] = x;
      if (y < y0[id]!) y0[id] = y;
      if (y > y1[id]!) y1[id] = y;
    }
  }
  const depthStats = opts.depth ? segmentDepthStats(ids, opts.depth, n, area) : undefined;
  const out: Segment[] = [];
  for (const info of infos) {
    const a = area[info.id]!;
    if (a === 0) continue;
    const cx = sx[info.id]! / a + 0.5;
    const cy = sy[info.id]! / a + 0.5;
    const bbox: BBox = [x0[info.id]!, y0[info.id]!, x1[info.id]! - x0[info.id]! + 1, y1[info.id]! - y0[info.id]! + 1];
    const d = depthStats?.[info.id];
    out.push({
      id: info.id,
      categoryId: info.categoryId,
      isThing: info.isThing,
      score: info.score ?? 1,
      area: a,
      bbox,
      centroid: [cx, cy],
      embedding: info.embedding ?? centroidEmbedding(cx, cy, width, height, harmonics),
      ...(d ? { depth: d } : {}),
    });
  }
  return out;
}

/** Median/min/max of finite, positive-or-zero depth values per segment id. */
function segmentDepthStats(ids: Int32Array, depth: Float32Array, n: number, area: Float64Array): ({ median: number; min: number; max: number } | undefined)[] {
  // Bucket pixel depths by segment with one counting pass (offsets) and one fill pass.
  const offsets = new Int32Array(n + 1);
  for (let id = 1; id < n; id++) offsets[id + 1] = offsets[id]! + area[id]!;
  const values = new Float32Array(offsets[n]!);
  const fill = offsets.slice(0, n);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id <= 0 || id >= n) continue;
    values[fill[id]!++] = depth[i]!;
  }
  const out: ({ median: number; min: number; max: number } | undefined)[] = new Array(n);
  for (let id = 1; id < n; id++) {
    const a = offsets[id]!;
    const b = offsets[id + 1]!;
    if (b <= a) continue;
    // Compact the finite values in place, then select the median (O(n), no sort, no allocation).
    let len = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let i = a; i < b; i++) {
      const d = values[i]!;
      if (!Number.isFinite(d)) continue;
      values[a + len++] = d;
      if (d < min) min = d;
      if (d > max) max = d;
    }
    if (len === 0) continue;
    const v = values.subarray(a, a + len);
    const m = len >> 1;
    const hi = selectKth(v, m);
    let median = hi;
    if (len % 2 === 0) {
      // After selection every value left of m is ≤ v[m]: the lower middle is their maximum.
      let lo = -Infinity;
      for (let i = 0; i < m; i++) if (v[i]! > lo) lo = v[i]!;
      median = (lo + hi) / 2;
    }
    out[id] = { median, min, max };
  }
  return out;
}

/** Hoare quickselect: reorders `v` so that v[k] is the k-th smallest value and returns it. */
function selectKth(v: Float32Array, k: number): number {
  let left = 0;
  let right = v.length - 1;
  while (right > left) {
    const pivot = v[(left + right) >> 1]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (v[i]! < pivot) i++;
      while (v[j]! > pivot) j--;
      if (i <= j) {
        const t = v[i]!;
        v[i] = v[j]!;
        v[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return v[k]!;
}
