import { expect } from 'chai';
import { FORBIDDEN_COST, solveAssignment, solveThresholded } from '../../src/tracking/hungarian.js';

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Exhaustive minimum over all partial matchings where unmatched rows/cols cost maxCost/2 each. */
function bruteThresholded(cost: Float64Array, rows: number, cols: number, maxCost: number): number {
  const usedCols = new Uint8Array(cols);
  const rec = (i: number): number => {
    if (i === rows) {
      let free = 0;
      for (let j = 0; j < cols; j++) if (!usedCols[j]) free++;
      return (free * maxCost) / 2;
    }
    let best = maxCost / 2 + rec(i + 1);
    for (let j = 0; j < cols; j++) {
      const c = cost[i * cols + j]!;
      if (usedCols[j] || c > maxCost) continue;
      usedCols[j] = 1;
      best = Math.min(best, c + rec(i + 1));
      usedCols[j] = 0;
    }
    return best;
  };
  return rec(0);
}

function bruteFull(cost: Float64Array, rows: number, cols: number): number {
  const used = new Uint8Array(cols);
  const rec = (i: number): number => {
    if (i === rows) return 0;
    let best = Infinity;
    for (let j = 0; j < cols; j++) {
      if (used[j]) continue;
      used[j] = 1;
      best = Math.min(best, cost[i * cols + j]! + rec(i + 1));
      used[j] = 0;
    }
    return best;
  };
  return rec(0);
}

describe('tracking/hungarian', () => {
  it('solves a textbook 3×3 exactly', () => {
    const c = Float64Array.from([4, 1, 3, 2, 0, 5, 3, 2, 2]);
    expect([...solveAssignment(c, 3, 3)]).to.deep.equal([1, 0, 2]);
  });

  it('matches brute force on 300 random rectangular problems (total cost within 1e-9)', () => {
    const r = rng(7);
    for (let trial = 0; trial < 300; trial++) {
      const rows = 1 + Math.floor(r() * 5);
      const cols = rows + Math.floor(r() * 3);
      const c = Float64Array.from({ length: rows * cols }, () => Math.round(r() * 100) / 10);
      const a = solveAssignment(c, rows, cols);
      expect(new Set(a).size).to.equal(rows);
      let total = 0;
      a.forEach((j, i) => (total += c[i * cols + j]!));
      expect(total).to.be.closeTo(bruteFull(c, rows, cols), 1e-9);
    }
  });

  it('thresholded: matches brute force (unmatched cost maxCost/2) on 300 random problems, never above maxCost', () => {
    const r = rng(11);
    for (let trial = 0; trial < 300; trial++) {
      const rows = Math.floor(r() * 6);
      const cols = Math.floor(r() * 6);
      const maxCost = 3;
      const c = Float64Array.from({ length: rows * cols }, () => (r() < 0.3 ? FORBIDDEN_COST : r() * 5));
      const a = solveThresholded(c, rows, cols, maxCost);
      let total = 0;
      const used = new Set<number>();
      a.forEach((j, i) => {
        if (j < 0) total += maxCost / 2;
        else {
          expect(c[i * cols + j]!).to.be.at.most(maxCost);
          expect(used.has(j)).to.equal(false);
          used.add(j);
          total += c[i * cols + j]!;
        }
      });
      total += ((cols - used.size) * maxCost) / 2;
      expect(total).to.be.closeTo(bruteThresholded(c, rows, cols, maxCost), 1e-9);
    }
  });

  it('thresholded: rowSlack lets one row match above maxCost', () => {
    const c = Float64Array.from([3.5]);
    expect([...solveThresholded(c, 1, 1, 3)]).to.deep.equal([-1]);
    expect([...solveThresholded(c, 1, 1, 3, Float64Array.from([1]))]).to.deep.equal([0]);
    const c2 = Float64Array.from([3.5, 9, 9, 3.5]);
    expect([...solveThresholded(c2, 2, 2, 3, Float64Array.from([1, 0]))]).to.deep.equal([0, -1]);
  });

  it('rejects bad shapes naming the argument', () => {
    expect(() => solveAssignment(new Float64Array(4), 3, 2)).to.throw(TypeError, /cols/);
    expect(() => solveAssignment(new Float64Array(2), 2, 2)).to.throw(TypeError, /cost/);
    expect(() => solveThresholded(new Float64Array(4), 2, 2, NaN)).to.throw(TypeError, /maxCost/);
  });
});
