/**
 * Model bundles on disk: model directories (searched in order), bundle discovery (a directory
 * holding `model.json`), and locating each component's ONNX file — by name in the bundle directory,
 * else by SHA-256 anywhere in the model directories (two levels deep). Hashes are cached by
 * path + size + mtime, in memory and in `<cache>/sha256-cache.json`, so startup does not re-hash.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, PanopticError, errorMessage } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { MANIFEST_FILE, type FileRef, type Manifest, readManifest } from './manifest.js';

const log = createLogger('model:bundle');

/** Colon-separated extra model directories. */
export const MODELS_ENV = 'PANOPTIC_STREAM_MODELS';
/** Overrides the cache directory (default `~/.cache/panoptic-stream`). */
export const CACHE_ENV = 'PANOPTIC_STREAM_CACHE_DIR';

export function cacheDir(): string {
  return process.env[CACHE_ENV] || join(homedir(), '.cache', 'panoptic-stream');
}

/** The package root (directory of panoptic-stream's package.json), found from this module's location. */
function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'panoptic-stream') return dir;
      } catch {
        // not ours; keep walking up
      }
    }
    dir = dirname(dir);
  }
  return undefined;
}

/**
 * Model directories in search order: `extra` (config), `PANOPTIC_STREAM_MODELS` (colon-separated),
 * `./models`, the package's own `models/` (manifests shipped with panoptic-stream),
 * `~/.cache/panoptic-stream/models`. Absolute, de-duplicated; directories that do not exist are kept
 * (error messages list where we looked) and skipped when scanning.
 */
export function modelDirs(extra: readonly string[] = []): string[] {
  const env = (process.env[MODELS_ENV] ?? '').split(':').filter((s) => s.trim() !== '');
  const root = packageRoot();
  const all = [...extra, ...env, resolve('models'), ...(root ? [join(root, 'models')] : []), join(cacheDir(), 'models')];
  return [...new Set(all.map((d) => resolve(d)))];
}

export interface Bundle {
  /** The manifest's name (what users pass to `--model`). */
  readonly name: string;
  /** Absolute bundle directory. */
  readonly dir: string;
  readonly manifestPath: string;
  readonly manifest: Manifest;
}

export interface InvalidBundle {
  readonly dir: string;
  readonly manifestPath: string;
  readonly error: Error;
}

export interface BundleScan {
  /** Valid bundles; the first directory holding a name wins. */
  readonly bundles: Bundle[];
  /** Directories with a model.json that does not validate. */
  readonly invalid: InvalidBundle[];
  /** Valid bundles hidden by an earlier one of the same name. */
  readonly shadowed: Bundle[];
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Loads the bundle in `dir` (which must hold model.json). */
export function loadBundle(dir: string): Bundle {
  const abs = resolve(dir);
  const manifestPath = join(abs, MANIFEST_FILE);
  if (!existsSync(manifestPath)) throw new ConfigError('model', dir, `no ${MANIFEST_FILE} in this directory`);
  const manifest = readManifest(manifestPath);
  return { name: manifest.name, dir: abs, manifestPath, manifest };
}

/** Bundles in `dirs`: each dir itself when it holds model.json, and its direct subdirectories that do. */
export function scanBundles(dirs: readonly string[]): BundleScan {
  const bundles: Bundle[] = [];
  const invalid: InvalidBundle[] = [];
  const shadowed: Bundle[] = [];
  const seenDirs = new Set<string>();
  const visit = (d: string): void => {
    if (seenDirs.has(d)) return;
    seenDirs.add(d);
    const manifestPath = join(d, MANIFEST_FILE);
    if (!existsSync(manifestPath)) return;
    try {
      const b = loadBundle(d);
      if (bundles.some((x) => x.name === b.name)) shadowed.push(b);
      else bundles.push(b);
    } catch (err) {
      invalid.push({ dir: d, manifestPath, error: err instanceof Error ? err : new Error(String(err)) });
    }
  };
  for (const dir of dirs) {
    if (!isDir(dir)) continue;
    visit(dir);
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch {
      continue;
    }
    for (const e of entries) if (!e.startsWith('.') && isDir(join(dir, e))) visit(join(dir, e));
  }
  for (const bad of invalid) log.debug('invalid model bundle skipped', { manifest: bad.manifestPath, reason: bad.error.message });
  return { bundles, invalid, shadowed };
}

export function listBundles(dirs: readonly string[]): Bundle[] {
  return scanBundles(dirs).bundles;
}

/**
 * The bundle called `nameOrDir` (a bundle name, or a path to a bundle directory). Unknown names get
 * an error listing the valid ones and where we looked; an invalid manifest of that name reports its
 * own field error.
 */
export function findBundle(nameOrDir: string, dirs: readonly string[]): Bundle {
  if ((nameOrDir.includes('/') || nameOrDir.startsWith('.')) && isDir(nameOrDir)) return loadBundle(nameOrDir);
  const scan = scanBundles(dirs);
  const hit = scan.bundles.find((b) => b.name === nameOrDir);
  if (hit) return hit;
  const broken = scan.invalid.find((b) => basename(b.dir) === nameOrDir);
  if (broken) throw broken.error;
  const valid = scan.bundles.map((b) => b.name);
  throw new ConfigError('model', nameOrDir, `unknown model; available: ${valid.length ? valid.join(', ') : '(none)'}; searched ${dirs.join(', ')} (add a directory with ${MODELS_ENV}, --models-dir or modelDirs in the config)`);
}

// ---- SHA-256 lookup ---------------------------------------------------------------------------

interface HashEntry {
  size: number;
  mtimeMs: number;
  sha256: string;
}
const hashCache = new Map<string, HashEntry>();
let diskCacheLoaded = false;
let diskCacheDirty = false;
const diskCachePath = (): string => join(cacheDir(), 'sha256-cache.json');

function loadDiskCache(): void {
  if (diskCacheLoaded) return;
  diskCacheLoaded = true;
  try {
    const raw = JSON.parse(readFileSync(diskCachePath(), 'utf8')) as Record<string, HashEntry>;
    for (const [p, e] of Object.entries(raw))
      if (typeof e?.sha256 === 'string' && typeof e.size === 'number' && typeof e.mtimeMs === 'number' && !hashCache.has(p)) hashCache.set(p, e);
  } catch {
    // no cache yet (or unreadable): hashes are recomputed
  }
}

function saveDiskCache(): void {
  if (!diskCacheDirty) return;
  diskCacheDirty = false;
  try {
    mkdirSync(cacheDir(), { recursive: true });
    const tmp = `${diskCachePath()}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(hashCache)));
    renameSync(tmp, diskCachePath());
  } catch (err) {
    log.debug('cannot write the hash cache', { path: diskCachePath(), reason: errorMessage(err) });
  }
}

/** SHA-256 (hex) of a file, streamed. */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('error', reject)
      .on('data', (chunk) => h.update(chunk))
      .on('end', () => resolvePromise(h.digest('hex')));
  });
}

/** SHA-256 of a file, from the cache when its size and mtime are unchanged. */
export async function cachedSha256(path: string): Promise<string> {
  loadDiskCache();
  const abs = resolve(path);
  const st = statSync(abs);
  const c = hashCache.get(abs);
  if (c && c.size === st.size && c.mtimeMs === st.mtimeMs) return c.sha256;
  const sha256 = await sha256File(abs);
  hashCache.set(abs, { size: st.size, mtimeMs: st.mtimeMs, sha256 });
  diskCacheDirty = true;
  return sha256;
}

/** `.onnx` files under `dir`, up to `depth` directory levels below it. */
function onnxFiles(dir: string, depth: number, out: string[] = []): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory() || (e.isSymbolicLink() && isDir(p))) {
      if (depth > 0) onnxFiles(p, depth - 1, out);
    } else if (e.name.endsWith('.onnx')) out.push(p);
  }
  return out;
}

export type FileStatus = 'ok' | 'missing' | 'checksum-mismatch';

export interface ResolvedFile {
  readonly role: string;
  readonly file: FileRef;
  readonly status: FileStatus;
  /** Where the file is (ok), or the corrupt file (checksum-mismatch). */
  readonly path?: string;
  readonly expected: string;
  /** Actual SHA-256 of `path`. */
  readonly actual?: string;
  /** Directories searched. */
  readonly searched: readonly string[];
}

/**
 * Locates every component file of `bundle`: `<bundle dir>/<file.name>` first (a wrong hash there is
 * `checksum-mismatch`), else any `.onnx` with the expected SHA-256 in `dirs` (2 levels deep; files
 * whose size differs from `sizeBytes` are not hashed).
 */
export async function resolveBundleFiles(bundle: Bundle, dirs: readonly string[] = modelDirs()): Promise<Record<string, ResolvedFile>> {
  const out: Record<string, ResolvedFile> = {};
  const searched = [bundle.dir, ...dirs.filter((d) => d !== bundle.dir)];
  let candidates: string[] | undefined;
  try {
    for (const [role, comp] of Object.entries(bundle.manifest.components)) {
      const f = comp.file;
      const base = { role, file: f, expected: f.sha256, searched };
      const local = join(bundle.dir, f.name);
      if (existsSync(local) && statSync(local).isFile()) {
        const actual = await cachedSha256(local);
        out[role] = { ...base, status: actual === f.sha256 ? 'ok' : 'checksum-mismatch', path: local, actual };
        continue;
      }
      candidates ??= [...new Set(searched.flatMap((d) => onnxFiles(d, 2)))];
      let found: string | undefined;
      for (const c of candidates) {
        if (f.sizeBytes !== undefined && statSync(c).size !== f.sizeBytes) continue;
        if ((await cachedSha256(c)) === f.sha256) {
          found = c;
          break;
        }
      }
      out[role] = found ? { ...base, status: 'ok', path: found, actual: f.sha256 } : { ...base, status: 'missing' };
    }
  } finally {
    saveDiskCache();
  }
  return out;
}

/** The error for a file that is not `ok`: what, which hash, where we looked, how to fix it. */
export function fileError(bundle: Bundle, r: ResolvedFile): PanopticError {
  const context = { model: bundle.name, component: r.role };
  if (r.status === 'checksum-mismatch')
    return new PanopticError(
      `file ${r.path} has SHA-256 ${r.actual} but ${bundle.manifestPath} (components.${r.role}.file.sha256) expects ${r.expected}: the file is corrupt or a different version; delete it and run \`panoptic-stream models pull ${bundle.name}\``,
      { code: 'ERR_MODEL_CHECKSUM', fatal: true, context, details: { file: r.path, expected: r.expected, actual: r.actual } },
    );
  return new PanopticError(
    `model file ${r.file.name} (sha256 ${r.expected}) not found in the bundle directory nor by SHA-256 in ${r.searched.join(', ')}; run \`panoptic-stream models pull ${bundle.name}\`${r.file.urls.length ? ` (downloads ${r.file.urls[0]})` : ''} or copy the file into one of those directories`,
    { code: 'ERR_MODEL_FILE_MISSING', fatal: true, context, details: { file: r.file.name, expected: r.expected, searched: r.searched } },
  );
}

/** Resolves every file and throws the first problem; returns role → path. */
export async function verifyBundleFiles(bundle: Bundle, dirs?: readonly string[]): Promise<Record<string, string>> {
  const res = await resolveBundleFiles(bundle, dirs);
  const paths: Record<string, string> = {};
  for (const r of Object.values(res)) {
    if (r.status !== 'ok') throw fileError(bundle, r);
    paths[r.role] = r.path!;
  }
  return paths;
}
