/**
 * Pixel overlap counts between the segments of two consecutive id maps (one pass, run-length
 * accumulated so that large uniform regions cost one map update per run).
 */

export interface MaskOverlaps {
  /** Pixels that are `prevId` in the previous map and `curId` in the current one. */
  get(prevId: number, curId: number): number;
}

export function maskOverlaps(prev: Int32Array, cur: Int32Array): MaskOverlaps {
  const counts = new Map<number, number>();
  // Keys are prevId·2^26 + curId: exact for ids below 2^26 (segment ids are small per frame).
  const K = 2 ** 26;
  if (prev.length !== cur.length) return { get: () => 0 };
  let runKey = -1;
  let run = 0;
  for (let i = 0; i < cur.length; i++) {
    const a = prev[i]!;
    const b = cur[i]!;
    const key = a > 0 && b > 0 && a < K && b < K ? a * K + b : -1;
    if (key === runKey) {
      run++;
      continue;
    }
    if (runKey >= 0) counts.set(runKey, (counts.get(runKey) ?? 0) + run);
    runKey = key;
    run = 1;
  }
  if (runKey >= 0) counts.set(runKey, (counts.get(runKey) ?? 0) + run);
  return { get: (prevId, curId) => counts.get(prevId * K + curId) ?? 0 };
}
