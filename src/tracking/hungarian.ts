/**
 * Optimal linear assignment on typed arrays: the Hungarian method in its shortest-augmenting-path
 * form (Jonker–Volgenant style dual potentials, O(n²·m) for n ≤ m), plus a thresholded variant
 * that may leave rows and columns unmatched.
 *
 * Costs are row-major `Float64Array`s (`cost[i * cols + j]`). No allocation per inner step.
 */

/** A cost at or above this value is never chosen when a cheaper feasible assignment exists. */
export const FORBIDDEN_COST = 1e12;

/**
 * Minimum-cost assignment of every row to a distinct column (requires rows ≤ cols).
 * Returns `rowToCol` (length rows). Costs must be finite; use {@link FORBIDDEN_COST} for "never".
 */
export function solveAssignment(cost: Float64Array, rows: number, cols: number): Int32Array {
  if (!Number.isInteger(rows) || rows < 0) throw new TypeError(`rows: expected a non-negative integer, got ${rows}`);
  if (!Number.isInteger(cols) || cols < rows) throw new TypeError(`cols: expected an integer ≥ rows (${rows}), got ${cols}`);
  if (cost.length < rows * cols) throw new TypeError(`cost: expected ${rows * cols} values, got ${cost.length}`);
  const n = rows;
  const m = cols;
  // 1-based potentials and matching as in the classic formulation; index 0 is the virtual start column.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1); // p[j] = row (1-based) matched to column j, 0 = free
  const way = new Int32Array(m + 1);
  const minv = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0]!;
      const rowBase = (i0 - 1) * m - 1;
      const ui0 = u[i0]!;
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = cost[rowBase + j]! - ui0 - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]!] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const rowToCol = new Int32Array(n).fill(-1);
  for (let j = 1; j <= m; j++) if (p[j]! > 0) rowToCol[p[j]! - 1] = j - 1;
  return rowToCol;
}

/**
 * Minimum-cost partial assignment: a pair (i, j) may be matched only when `cost ≤ maxCost + rowSlack[i]`,
 * and it is matched only if that lowers the total compared with leaving both unmatched (an unmatched
 * column costs maxCost / 2, an unmatched row maxCost / 2 + rowSlack[i]). Solved exactly by padding to an
 * (rows+cols)² problem. Returns `rowToCol` with −1 for unmatched rows.
 */
export function solveThresholded(cost: Float64Array, rows: number, cols: number, maxCost: number, rowSlack?: Float64Array): Int32Array {
  if (!(maxCost > 0) || !Number.isFinite(maxCost)) throw new TypeError(`maxCost: expected a finite number > 0, got ${maxCost}`);
  if (cost.length < rows * cols) throw new TypeError(`cost: expected ${rows * cols} values, got ${cost.length}`);
  const out = new Int32Array(rows).fill(-1);
  if (rows === 0 || cols === 0) return out;
  if (rowSlack && rowSlack.length < rows) throw new TypeError(`rowSlack: expected ${rows} values, got ${rowSlack.length}`);
  if (rows === 1 && cols === 1) {
    const c = cost[0]!;
    if (c <= maxCost + (rowSlack?.[0] ?? 0) && c < FORBIDDEN_COST) out[0] = 0;
    return out;
  }
  const half = maxCost / 2;
  const size = rows + cols;
  const padded = new Float64Array(size * size).fill(FORBIDDEN_COST);
  for (let i = 0; i < rows; i++) {
    const slack = rowSlack?.[i] ?? 0;
    const gate = maxCost + slack;
    for (let j = 0; j < cols; j++) {
      const c = cost[i * cols + j]!;
      padded[i * size + j] = c <= gate ? c : FORBIDDEN_COST;
    }
    padded[i * size + cols + i] = half + slack; // row i left unmatched
  }
  for (let j = 0; j < cols; j++) {
    padded[(rows + j) * size + j] = half; // column j left unmatched
    for (let k = 0; k < rows; k++) padded[(rows + j) * size + cols + k] = 0; // dummy ↔ dummy
  }
  const assign = solveAssignment(padded, size, size);
  for (let i = 0; i < rows; i++) {
    const j = assign[i]!;
    if (j < cols && padded[i * size + j]! < FORBIDDEN_COST) out[i] = j;
  }
  return out;
}

/**
 * Same result as {@link solveThresholded}, solved per connected component of the gated graph (an edge
 * where cost ≤ maxCost + rowSlack[i]): components do not interact, and in tracking they are small, so a
 * 50×50 frame costs a handful of tiny problems instead of one 100×100 padded one.
 */
export function solveSparse(cost: Float64Array, rows: number, cols: number, maxCost: number, rowSlack?: Float64Array): Int32Array {
  const out = new Int32Array(rows).fill(-1);
  if (rows === 0 || cols === 0) return out;
  // Union-find over rows (0…rows−1) and columns (rows…rows+cols−1).
  const parent = new Int32Array(rows + cols);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  let edges = 0;
  for (let i = 0; i < rows; i++) {
    const gate = maxCost + (rowSlack?.[i] ?? 0);
    for (let j = 0; j < cols; j++) {
      if (cost[i * cols + j]! > gate) continue;
      edges++;
      const a = find(i);
      const b = find(rows + j);
      if (a !== b) parent[a] = b;
    }
  }
  if (edges === 0) return out;
  const members = new Map<number, { r: number[]; c: number[] }>();
  for (let i = 0; i < rows + cols; i++) {
    const root = find(i);
    let g = members.get(root);
    if (!g) members.set(root, (g = { r: [], c: [] }));
    if (i < rows) g.r.push(i);
    else g.c.push(i - rows);
  }
  for (const { r, c } of members.values()) {
    if (r.length === 0 || c.length === 0) continue;
    const sub = new Float64Array(r.length * c.length);
    const slack = new Float64Array(r.length);
    r.forEach((i, a) => {
      slack[a] = rowSlack?.[i] ?? 0;
      c.forEach((j, b) => (sub[a * c.length + b] = cost[i * cols + j]!));
    });
    const assign = solveThresholded(sub, r.length, c.length, maxCost, slack);
    assign.forEach((b, a) => {
      if (b >= 0) out[r[a]!] = c[b]!;
    });
  }
  return out;
}
