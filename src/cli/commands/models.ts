/**
 * `panoptic-stream models list | info NAME | verify [NAME...] | pull NAME [--dir DIR]`: model bundles,
 * whether their files are present and intact (SHA-256), and downloading missing ones from the
 * manifest's `urls` or a catalog (`models/catalog.json` in any model directory, or `--catalog FILE`).
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, errorMessage } from '../../core/errors.js';
import { cacheDir, findBundle, modelDirs, resolveBundleFiles, scanBundles, type Bundle, type ResolvedFile } from '../../model/bundle.js';
import { downloadFile, type DownloadProgress } from '../../model/download.js';
import type { FileRef } from '../../model/manifest.js';
import { flagString, parseArgs, type ParsedArgs } from '../args.js';
import type { Command } from '../types.js';

/** Where the command writes; tests pass collectors. */
export interface ModelsIo {
  out(line: string): void;
  err(line: string): void;
  /** Progress lines are redrawn in place on a TTY, printed at 25 % steps otherwise. */
  isTTY: boolean;
}

const SPEC = { 'models-dir': 'string', catalog: 'string', dir: 'string', json: 'boolean' } as const;
const SUBCOMMANDS = ['list', 'info', 'verify', 'pull'];

const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;

/**
 * Download URLs of `file` from catalog files: any JSON object (at any depth) with `url` and/or `urls`
 * whose `sha256` equals the file's, or — when the object has no `sha256` — whose `name`/`file` equals
 * the file name. The downloaded bytes are always checked against the manifest's SHA-256.
 */
export function catalogUrls(catalogPaths: readonly string[], file: FileRef): string[] {
  const urls: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const match = o.sha256 === undefined ? o.name === file.name || o.file === file.name : o.sha256 === file.sha256;
      if (match) {
        if (typeof o.url === 'string') urls.push(o.url);
        if (Array.isArray(o.urls)) for (const u of o.urls) if (typeof u === 'string') urls.push(u);
      }
      Object.values(o).forEach(walk);
    }
  };
  for (const p of catalogPaths) {
    if (!existsSync(p)) continue;
    try {
      walk(JSON.parse(readFileSync(p, 'utf8')));
    } catch (err) {
      throw new ConfigError('catalog', p, `not a readable JSON catalog: ${errorMessage(err)}`);
    }
  }
  return urls;
}

function statusWord(r: ResolvedFile): string {
  return r.status === 'ok' ? 'ok' : r.status === 'missing' ? 'MISSING' : 'CORRUPT';
}

function summary(files: ResolvedFile[]): string {
  const ok = files.filter((f) => f.status === 'ok').length;
  const missing = files.filter((f) => f.status === 'missing').length;
  const bad = files.length - ok - missing;
  if (ok === files.length) return `${ok}/${files.length} ok`;
  return [missing ? `${missing} missing` : '', bad ? `${bad} corrupt` : ''].filter(Boolean).join(', ') + ` (of ${files.length})`;
}

function isWritableDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Target directory of `pull`: `--dir DIR/<bundle>`, else the first writable of the cache and the other model dirs. */
function pullTarget(bundle: Bundle, dirs: readonly string[], dirFlag: string | undefined): string {
  if (dirFlag) {
    const d = join(resolve(dirFlag), bundle.name);
    if (!isWritableDir(d)) throw new ConfigError('--dir', dirFlag, `cannot create or write ${d}`);
    return d;
  }
  const candidates = [join(cacheDir(), 'models'), ...dirs].map((d) => join(d, bundle.name));
  const hit = candidates.find(isWritableDir);
  if (!hit) throw new ConfigError('--dir', undefined, `no writable model directory among ${candidates.join(', ')}; pass --dir`);
  return hit;
}

function progressPrinter(io: ModelsIo, name: string): { onProgress(p: DownloadProgress): void; done(): void } {
  const t0 = Date.now();
  let lastDraw = 0;
  let lastStep = -1;
  return {
    onProgress(p) {
      const now = Date.now();
      const pct = p.totalBytes ? (100 * p.receivedBytes) / p.totalBytes : undefined;
      const rate = (p.receivedBytes - p.resumedFromBytes) / Math.max(1, now - t0) / 1000; // MB/s
      const eta = p.totalBytes && rate > 0 ? Math.round((p.totalBytes - p.receivedBytes) / 1e6 / rate) : undefined;
      const line = `  ${name}  ${mb(p.receivedBytes)}${p.totalBytes ? ` / ${mb(p.totalBytes)}` : ''}${pct !== undefined ? `  ${pct.toFixed(0)}%` : ''}  ${rate.toFixed(1)} MB/s${eta !== undefined ? `  ETA ${eta}s` : ''}`;
      if (io.isTTY) {
        if (now - lastDraw < 200 && p.receivedBytes !== p.totalBytes) return;
        lastDraw = now;
        process.stderr.write(`\r${line}\x1b[K`);
      } else {
        const step = pct === undefined ? -1 : Math.floor(pct / 25);
        if (step > lastStep) {
          lastStep = step;
          io.err(line);
        }
      }
    },
    done() {
      if (io.isTTY) process.stderr.write('\n');
    },
  };
}

/** Runs `models <sub> ...`; resolves to the exit code. */
export async function runModels(argv: string[], signal: AbortSignal, io: ModelsIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || !SUBCOMMANDS.includes(sub)) throw new ConfigError('subcommand', sub, `expected one of ${SUBCOMMANDS.join(', ')}`);
  const args = parseArgs(rest, SPEC);
  const extra = flagString(args, 'models-dir');
  const dirs = modelDirs(extra ? [extra] : []);
  const catalogs = [...(flagString(args, 'catalog') ? [resolve(flagString(args, 'catalog')!)] : []), ...dirs.map((d) => join(d, 'catalog.json'))];
  switch (sub) {
    case 'list':
      return list(dirs, args, io);
    case 'info':
      return info(oneName(args), dirs, catalogs, args, io);
    case 'verify':
      return verify(args.positionals, dirs, io);
    default:
      return pull(oneName(args), dirs, catalogs, args, signal, io);
  }
}

function oneName(args: ParsedArgs): string {
  if (args.positionals.length !== 1) throw new ConfigError('NAME', args.positionals.join(' ') || undefined, 'expected exactly one bundle name');
  return args.positionals[0]!;
}

async function list(dirs: string[], args: ParsedArgs, io: ModelsIo): Promise<number> {
  const scan = scanBundles(dirs);
  const rows = [];
  for (const b of scan.bundles) rows.push({ b, files: Object.values(await resolveBundleFiles(b, dirs)) });
  if (args.flags.has('json')) {
    io.out(JSON.stringify({ dirs, bundles: rows.map(({ b, files }) => ({ name: b.name, family: b.manifest.family, dir: b.dir, files: files.map(fileJson) })), invalid: scan.invalid.map((i) => ({ dir: i.dir, error: i.error.message })) }, null, 2));
    return 0;
  }
  io.out(`${'NAME'.padEnd(16)} ${'FAMILY'.padEnd(20)} ${'FILES'.padEnd(24)} DIR`);
  for (const { b, files } of rows) io.out(`${b.name.padEnd(16)} ${b.manifest.family.padEnd(20)} ${summary(files).padEnd(24)} ${b.dir}`);
  for (const i of scan.invalid) io.out(`${'(invalid)'.padEnd(16)} ${i.manifestPath}: ${i.error.message}`);
  if (rows.length === 0) io.out(`(no bundles; searched ${dirs.join(', ')})`);
  return 0;
}

function fileJson(r: ResolvedFile): Record<string, unknown> {
  return { role: r.role, name: r.file.name, status: r.status, path: r.path, expected: r.expected, actual: r.actual, sizeBytes: r.file.sizeBytes };
}

async function info(name: string, dirs: string[], catalogs: string[], args: ParsedArgs, io: ModelsIo): Promise<number> {
  const b = findBundle(name, dirs);
  const files = Object.values(await resolveBundleFiles(b, dirs));
  const m = b.manifest;
  if (args.flags.has('json')) {
    io.out(JSON.stringify({ name: b.name, family: m.family, description: m.description, license: m.license, dir: b.dir, depth: m.depth, files: files.map((f) => ({ ...fileJson(f), urls: [...f.file.urls, ...catalogUrls(catalogs, f.file)] })) }, null, 2));
    return 0;
  }
  io.out(`${b.name} (${m.family})`);
  if (m.description) io.out(`  ${m.description}`);
  io.out(`  license: ${m.license}`);
  io.out(`  manifest: ${b.manifestPath}`);
  if (m.depth) io.out(`  depth: ${m.depth.kind} (${m.depth.unit})`);
  io.out(`  files: ${summary(files)}`);
  for (const f of files) {
    io.out(`  - ${f.role}: ${f.file.name}${f.file.sizeBytes ? ` (${mb(f.file.sizeBytes)})` : ''}  ${statusWord(f)}`);
    io.out(`      sha256 ${f.expected}`);
    if (f.path) io.out(`      path   ${f.path}`);
    if (f.status === 'checksum-mismatch') io.out(`      actual ${f.actual}`);
    const urls = [...new Set([...f.file.urls, ...catalogUrls(catalogs, f.file)])];
    for (const u of urls) io.out(`      url    ${u}`);
  }
  return 0;
}

async function verify(names: string[], dirs: string[], io: ModelsIo): Promise<number> {
  const bundles = names.length ? names.map((n) => findBundle(n, dirs)) : scanBundles(dirs).bundles;
  let bad = 0;
  for (const b of bundles) {
    for (const f of Object.values(await resolveBundleFiles(b, dirs))) {
      const where = f.path ?? `not found in ${f.searched.join(', ')}`;
      io.out(`${statusWord(f).padEnd(8)} ${`${b.name}/${f.role}`.padEnd(24)} ${f.file.name}  ${where}`);
      if (f.status === 'checksum-mismatch') io.out(`         expected sha256 ${f.expected}, actual ${f.actual}`);
      if (f.status !== 'ok') bad++;
    }
  }
  io.out(bad ? `${bad} file(s) missing or corrupt; fix with \`panoptic-stream models pull NAME\`` : 'all files present and intact');
  return bad ? 1 : 0;
}

async function pull(name: string, dirs: string[], catalogs: string[], args: ParsedArgs, signal: AbortSignal, io: ModelsIo): Promise<number> {
  const b = findBundle(name, dirs);
  const dirFlag = flagString(args, 'dir');
  const searchDirs = dirFlag ? [resolve(dirFlag), ...dirs] : dirs;
  const todo = Object.values(await resolveBundleFiles(b, searchDirs)).filter((f) => f.status !== 'ok');
  if (todo.length === 0) {
    io.out(`${b.name}: all files present and intact`);
    return 0;
  }
  const target = pullTarget(b, dirs, dirFlag);
  let failed = 0;
  for (const f of todo) {
    // A corrupt file in the bundle directory would shadow a good copy elsewhere: replace it in place.
    const dest = f.status === 'checksum-mismatch' && f.path && dirname(f.path) === b.dir ? f.path : join(target, f.file.name);
    const urls = [...new Set([...f.file.urls, ...catalogUrls(catalogs, f.file)])];
    if (urls.length === 0) {
      io.err(`${b.name}/${f.role}: no download URL for ${f.file.name} (sha256 ${f.expected}) in ${b.manifestPath} or a catalog; copy the file into ${target}`);
      failed++;
      continue;
    }
    let ok = false;
    for (const url of urls) {
      io.err(`${b.name}/${f.role}: ${f.file.name} ← ${url}`);
      const progress = progressPrinter(io, f.file.name);
      try {
        const r = await downloadFile({ url, dest, sha256: f.expected, expectedBytes: f.file.sizeBytes, onProgress: (p) => progress.onProgress(p), signal });
        progress.done();
        io.out(`ok ${dest} (${mb(r.bytes)}, sha256 verified${r.resumed ? ', resumed' : ''})`);
        ok = true;
        break;
      } catch (err) {
        progress.done();
        if (signal.aborted) throw err;
        io.err(`  failed: ${errorMessage(err)}`);
      }
    }
    if (!ok) failed++;
  }
  if (dirFlag && !dirs.includes(resolve(dirFlag))) io.err(`note: ${resolve(dirFlag)} is not a model directory; add it to PANOPTIC_STREAM_MODELS or pass --models-dir so the files are found`);
  if (failed) io.err(`${failed} of ${todo.length} file(s) not downloaded`);
  return failed ? 1 : 0;
}

const command: Command = {
  name: 'models',
  usage: 'models list|info NAME|verify [NAME...]|pull NAME [--dir DIR]',
  summary: 'List, inspect, verify (SHA-256) and download model bundles',
  run(argv, signal) {
    return runModels(argv, signal, { out: (l) => console.log(l), err: (l) => console.error(l), isTTY: Boolean(process.stderr.isTTY) });
  },
};
export default command;
