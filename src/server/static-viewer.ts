/**
 * Serves the built web viewer (`web-viewer/dist`, produced by `npm run build`) at `/`: `index.html` for `/`,
 * the other files of dist by path with their content type, hashed `/assets/*` cached for a year
 * (immutable), everything else revalidated (ETag). GET and HEAD only. The viewer has no client-side
 * routes, so an unknown path is a 404 (no index.html fallback). A path with a `..` segment (raw or
 * percent-encoded), a backslash or a NUL is refused with 400 before touching the file system, and a
 * resolved file must lie inside dist.
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpError } from './respond.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Hashed build output: safe to cache for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The package root: the nearest ancestor of this module holding panoptic-stream's package.json (works from src/ and dist/). */
export function packageRoot(from = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'panoptic-stream') return dir;
      } catch {
        // not ours; keep walking up
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** `<package root>/web-viewer/dist` (it may not exist: a source checkout before `npm run build`). */
export function defaultViewerDist(): string | undefined {
  const root = packageRoot();
  return root ? join(root, 'web-viewer', 'dist') : undefined;
}

export class StaticViewer {
  private readonly root: string;

  /** @param dist directory holding the built viewer's index.html */
  private constructor(dist: string) {
    this.root = resolve(dist);
  }

  /** A server for `dist`, or undefined when it holds no index.html (viewer not built). */
  static open(dist: string | undefined): StaticViewer | undefined {
    if (!dist || !existsSync(join(dist, 'index.html'))) return undefined;
    return new StaticViewer(dist);
  }

  /**
   * Answers a GET/HEAD for `rawUrl` (the request target as sent, before URL normalisation) when it names
   * a file of dist; returns false when it does not (the caller answers 404). Throws HttpError 400 for a
   * path that tries to leave dist.
   */
  serve(req: IncomingMessage, res: ServerResponse, rawUrl: string): boolean {
    const file = this.resolve(rawUrl);
    if (!file) return false;
    const st = statSync(file, { throwIfNoEntry: false });
    if (!st?.isFile()) return false;
    const rel = file.slice(this.root.length + 1).split(sep).join('/');
    const etag = `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
    const headers: Record<string, string | number> = {
      'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'cache-control': rel.startsWith('assets/') ? IMMUTABLE : 'no-cache',
      etag,
      'last-modified': st.mtime.toUTCString(),
      'x-content-type-options': 'nosniff',
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers).end();
      return true;
    }
    res.writeHead(200, { ...headers, 'content-length': st.size });
    if (req.method === 'HEAD') {
      res.end();
      return true;
    }
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    res.on('close', () => stream.destroy());
    stream.pipe(res);
    return true;
  }

  /** Request target → absolute file path inside dist, or undefined; 400 for traversal attempts. */
  private resolve(rawUrl: string): string | undefined {
    const rawPath = rawUrl.split(/[?#]/, 1)[0] ?? '/';
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      throw new HttpError(400, 'ERR_BAD_PATH', `malformed percent-encoding in path ${JSON.stringify(rawPath.slice(0, 200))}`, { field: 'path' });
    }
    if (!path.startsWith('/') || path.includes('\0') || path.includes('\\') || path.split('/').some((s) => s === '..' || s === '.')) {
      throw new HttpError(400, 'ERR_BAD_PATH', `path ${JSON.stringify(rawPath.slice(0, 200))} is not allowed`, { field: 'path' });
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = resolve(this.root, `.${path}`);
    return file.startsWith(this.root + sep) ? file : undefined;
  }
}
