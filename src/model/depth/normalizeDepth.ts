/**
 * Depth normalisation per manifest (`depth: {kind, unit, scale, shift}`): the model's raw output
 * becomes `raw · scale + shift` in the manifest's unit. `metric` maps are distances (larger =
 * farther); `relative` are distances up to an unknown scale; `relative-inverse` (Depth-Anything,
 * MiDaS) are inverse depths up to scale and shift (larger = nearer).
 */
import type { DepthKind } from '../../core/types.js';

export interface DepthNormalisation {
  readonly kind: DepthKind;
  /** Multiplier applied to the raw output. Default 1. */
  readonly scale?: number;
  /** Offset added after scaling. Default 0. */
  readonly shift?: number;
}

/** `raw · scale + shift` into a new array (non-finite raw values become NaN). */
export function normalizeDepth(raw: ArrayLike<number>, spec: DepthNormalisation): Float32Array {
  const scale = spec.scale ?? 1;
  const shift = spec.shift ?? 0;
  const out = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i]!;
    out[i] = Number.isFinite(v) ? v * scale + shift : Number.NaN;
  }
  return out;
}

/** True when larger values mean nearer (inverse depth), so a renderer or sorter can flip. */
export const isInverseDepth = (kind: DepthKind): boolean => kind === 'relative-inverse';
