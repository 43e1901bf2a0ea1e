/**
 * Test fixtures by name. Real data and models of this workplace live in `../shared` (CI exports
 * PANOPTIC_STREAM_DATA / PANOPTIC_STREAM_MODELS pointing there); tests never copy them into the repo.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function firstExisting(...candidates: (string | undefined)[]): string {
  for (const c of candidates) if (c && existsSync(c)) return c;
  throw new Error(`fixture directory not found; tried ${candidates.filter(Boolean).join(', ')} (set PANOPTIC_STREAM_DATA / PANOPTIC_STREAM_MODELS)`);
}

export const dataDir = (): string => firstExisting(process.env.PANOPTIC_STREAM_DATA, join(repoRoot, '..', 'shared', 'data'));
export const sharedModelsDir = (): string =>
  firstExisting(process.env.PANOPTIC_STREAM_MODELS?.split(':')[0], join(repoRoot, '..', 'shared', 'models'));

/** Path of a data fixture, e.g. `dataPath('video', 'one-by-one-person-detection.mp4')`. Throws if absent. */
export function dataPath(...parts: string[]): string {
  const p = join(dataDir(), ...parts);
  if (!existsSync(p)) throw new Error(`data fixture missing: ${p}`);
  return p;
}

export function sharedModelPath(...parts: string[]): string {
  const p = join(sharedModelsDir(), ...parts);
  if (!existsSync(p)) throw new Error(`model fixture missing: ${p}`);
  return p;
}

export const SAMPLE_VIDEO = (): string => dataPath('video', 'one-by-one-person-detection.mp4');

/** A per-suite directory for artifacts worth looking at (screenshots, overlays); kept after the run. */
export function artifactDir(name: string): string {
  const d = join(repoRoot, 'test-artifacts', name);
  mkdirSync(d, { recursive: true });
  return d;
}
