/**
 * Finds the FFmpeg and ffprobe binaries: explicit path → `FFMPEG_PATH`/`FFPROBE_PATH` → `PATH` →
 * the npm-shipped `@ffmpeg-installer/linux-x64` (FFmpeg only; without ffprobe, probing falls back to
 * parsing `ffmpeg -i`).
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { ConfigError } from '../core/errors.js';

export interface BinaryInfo {
  /** Absolute path, or undefined when not found. */
  path?: string;
  /** Where it was found. */
  source: 'option' | 'env' | 'path' | 'npm' | 'missing';
  /** First line of `-version`, when queried. */
  version?: string;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Searches `PATH` for an executable. */
export function which(name: string, pathEnv = process.env.PATH ?? ''): string | undefined {
  for (const dir of pathEnv.split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    if (isExecutable(p)) return p;
  }
  return undefined;
}

function npmFfmpeg(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const pkg = require.resolve('@ffmpeg-installer/linux-x64/package.json');
    const p = join(dirname(pkg), 'ffmpeg');
    return existsSync(p) && isExecutable(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

function resolveBinary(tool: 'ffmpeg' | 'ffprobe', explicit: string | undefined): BinaryInfo {
  const envName = tool === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH';
  if (explicit) {
    if (!isExecutable(explicit)) throw new ConfigError(`${tool}Path`, explicit, 'not an executable file');
    return { path: explicit, source: 'option' };
  }
  const env = process.env[envName];
  if (env) {
    if (!isExecutable(env)) throw new ConfigError(envName, env, 'not an executable file');
    return { path: env, source: 'env' };
  }
  const onPath = which(tool);
  if (onPath) return { path: onPath, source: 'path' };
  if (tool === 'ffmpeg') {
    const npm = npmFfmpeg();
    if (npm) return { path: npm, source: 'npm' };
  }
  return { source: 'missing' };
}

/** Resolves FFmpeg; throws a ConfigError when none is found anywhere. */
export function resolveFfmpeg(explicit?: string): string {
  const r = resolveBinary('ffmpeg', explicit);
  if (!r.path) throw new ConfigError('FFMPEG_PATH', undefined, 'ffmpeg not found: set FFMPEG_PATH, install ffmpeg on PATH, or install @ffmpeg-installer/linux-x64');
  return r.path;
}

/** Resolves ffprobe, or undefined when it is not available (the npm package ships FFmpeg only). */
export function resolveFfprobe(explicit?: string): string | undefined {
  return resolveBinary('ffprobe', explicit).path;
}

function firstLine(path: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(path, ['-hide_banner', '-version'], { timeout: 5000 }, (err, stdout) => {
      resolve(err ? undefined : stdout.split('\n')[0]?.trim());
    });
  });
}

/** Paths, origins and versions of both tools (for `panoptic-stream doctor`). Never throws. */
export async function describeBinaries(opts: { ffmpegPath?: string; ffprobePath?: string } = {}): Promise<{ ffmpeg: BinaryInfo; ffprobe: BinaryInfo }> {
  const safe = (tool: 'ffmpeg' | 'ffprobe', p?: string): BinaryInfo => {
    try {
      return resolveBinary(tool, p);
    } catch (err) {
      return { source: 'missing', version: (err as Error).message };
    }
  };
  const ffmpeg = safe('ffmpeg', opts.ffmpegPath);
  const ffprobe = safe('ffprobe', opts.ffprobePath);
  const [v1, v2] = await Promise.all([ffmpeg.path ? firstLine(ffmpeg.path) : undefined, ffprobe.path ? firstLine(ffprobe.path) : undefined]);
  if (v1) ffmpeg.version = v1;
  if (v2) ffprobe.version = v2;
  return { ffmpeg, ffprobe };
}
