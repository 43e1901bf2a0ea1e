/**
 * The built web viewer (web-viewer/dist) for tests that load it from the server. CI gets it from `npm ci`
 * (prepare → `npm run build`); a local checkout may lack it or hold a build older than the viewer's sources,
 * so `ensureViewerBuilt()` runs the real build (`npm run build -w web-viewer`, Vite) in those cases.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './fixtures.js';

export const viewerRoot = join(repoRoot, 'web-viewer');
export const viewerDist = join(viewerRoot, 'dist');

function newestMtimeMs(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((n) => newestMtimeMs(join(path, n))));
}

/** Why dist needs a build ('' when it is up to date). */
export function viewerBuildReason(): string {
  const index = join(viewerDist, 'index.html');
  if (!existsSync(index)) return 'web-viewer/dist/index.html is missing';
  const sources = Math.max(...['src', 'index.html', 'vite.config.ts', 'package.json'].map((p) => newestMtimeMs(join(viewerRoot, p))));
  return sources > statSync(index).mtimeMs ? 'web-viewer sources are newer than web-viewer/dist' : '';
}

/** Builds web-viewer/dist with `npm run build -w web-viewer` when it is missing or stale (a few seconds). */
export async function ensureViewerBuilt(): Promise<void> {
  const why = viewerBuildReason();
  if (!why) return;
  await promisify(execFile)('npm', ['run', 'build', '-w', 'web-viewer'], { cwd: repoRoot, timeout: 180_000 }).catch((err: Error & { stderr?: string }) => {
    throw new Error(`${why}; \`npm run build -w web-viewer\` failed: ${err.message}\n${err.stderr ?? ''}`);
  });
  const still = viewerBuildReason();
  if (still) throw new Error(`after \`npm run build -w web-viewer\`: ${still}`);
}
