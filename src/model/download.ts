/**
 * Downloads one model file: HTTP(S) GET into `<dest>.part`, resuming a previous `.part` with an HTTP
 * Range request (also after a connection drop mid-body, up to `retries` times), following redirects,
 * with an inactivity timeout; then SHA-256 check and an atomic rename onto `dest`. A checksum
 * mismatch deletes the `.part`, so no bad file is ever left under the final name.
 * Errors are {@link DownloadError}s with a `code` saying which kind: network, HTTP, timeout,
 * checksum or disk.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync, truncateSync, type WriteStream } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { dirname } from 'node:path';
import { abortReason, sleep } from '../core/abort.js';
import { PanopticError, type ErrorContext } from '../core/errors.js';
import { redactUrl } from '../core/redact.js';
import { sha256File } from './bundle.js';

export type DownloadErrorCode = 'ERR_DOWNLOAD_NETWORK' | 'ERR_DOWNLOAD_HTTP' | 'ERR_DOWNLOAD_TIMEOUT' | 'ERR_DOWNLOAD_CHECKSUM' | 'ERR_DOWNLOAD_DISK';

export class DownloadError extends PanopticError {
  declare readonly code: DownloadErrorCode;
  constructor(code: DownloadErrorCode, message: string, context: ErrorContext, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, { code, fatal: code !== 'ERR_DOWNLOAD_NETWORK' && code !== 'ERR_DOWNLOAD_TIMEOUT', context, details, cause });
  }
}

export interface DownloadProgress {
  /** Bytes of the file on disk so far (including a resumed part). */
  receivedBytes: number;
  /** Full size when the server said so (Content-Length / Content-Range), else undefined. */
  totalBytes?: number;
  /** Bytes that were already in the `.part` file when the current request started. */
  resumedFromBytes: number;
}

export interface DownloadOptions {
  url: string;
  /** Final path. The download goes to `${dest}.part` and is renamed when complete and verified. */
  dest: string;
  /** Expected SHA-256 (hex). When given, a mismatch fails and deletes the download. */
  sha256?: string;
  /** Expected size in bytes. When the server announces another size, fail before downloading it. */
  expectedBytes?: number;
  /** Called after every received chunk (throttle in the caller). */
  onProgress?: (p: DownloadProgress) => void;
  /** Abort without a byte for this long (connect, response headers, or mid-body). Default 30000 ms. */
  idleTimeoutMs?: number;
  /** Extra attempts after a dropped connection or 5xx, each resuming the `.part`. Default 3. */
  retries?: number;
  /** Delay before a retry, doubled each time. Default 500 ms. */
  retryDelayMs?: number;
  /** Default 5. */
  maxRedirects?: number;
  signal?: AbortSignal;
}

export interface DownloadResult {
  path: string;
  sha256: string;
  bytes: number;
  /** Whether any request resumed a partial file. */
  resumed: boolean;
  attempts: number;
}

const NETWORK_HINTS: Record<string, string> = {
  ENOTFOUND: 'host name not found (no network or DNS?)',
  EAI_AGAIN: 'DNS lookup failed temporarily (no network?)',
  ECONNREFUSED: 'connection refused (nothing listening there)',
  ECONNRESET: 'connection reset by the server',
  EHOSTUNREACH: 'host unreachable (no network?)',
  ENETUNREACH: 'network unreachable (no network?)',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'connection closed by the server',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
};

const isRetryable = (e: unknown): boolean => e instanceof DownloadError && (e.code === 'ERR_DOWNLOAD_NETWORK' || e.code === 'ERR_DOWNLOAD_TIMEOUT' || (e.code === 'ERR_DOWNLOAD_HTTP' && Number(e.details.status) >= 500));

function diskError(path: string, err: unknown, ctx: ErrorContext): DownloadError {
  const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
  const hint = code === 'ENOSPC' ? 'disk full' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOTDIR' ? 'a parent path is not a directory' : code === 'EROFS' ? 'read-only file system' : code;
  return new DownloadError('ERR_DOWNLOAD_DISK', `cannot write ${path}: ${hint} (${code})`, ctx, { path, errno: code }, err);
}

/** Size of the `.part` file, 0 when absent. */
function partSize(part: string): number {
  try {
    return statSync(part).size;
  } catch {
    return 0;
  }
}

/** Downloads `url` to `dest` (see module doc). Resolves with the verified file. */
export async function downloadFile(opts: DownloadOptions): Promise<DownloadResult> {
  const retries = opts.retries ?? 3;
  const part = `${opts.dest}.part`;
  const ctx: ErrorContext = { url: redactUrl(opts.url) };
  try {
    mkdirSync(dirname(opts.dest), { recursive: true });
  } catch (err) {
    throw diskError(dirname(opts.dest), err, ctx);
  }
  let resumed = false;
  let attempt = 0;
  for (;;) {
    attempt++;
    try {
      const r = await fetchOnce(opts, part, ctx);
      resumed ||= r.resumed;
      break;
    } catch (err) {
      if (opts.signal?.aborted) throw abortReason(opts.signal);
      if (!isRetryable(err) || attempt > retries) {
        if (err instanceof DownloadError && isRetryable(err) && partSize(part) > 0)
          err.details.resumeHint = `${partSize(part)} bytes kept in ${part}; run again to resume`;
        throw err;
      }
      await sleep((opts.retryDelayMs ?? 500) * 2 ** (attempt - 1), opts.signal);
    }
  }
  const bytes = partSize(part);
  let actual: string;
  try {
    actual = await sha256File(part);
  } catch (err) {
    throw diskError(part, err, ctx);
  }
  if (opts.sha256 && actual !== opts.sha256.toLowerCase()) {
    rmSync(part, { force: true });
    throw new DownloadError(
      'ERR_DOWNLOAD_CHECKSUM',
      `checksum mismatch for ${redactUrl(opts.url)}: expected SHA-256 ${opts.sha256}, got ${actual} (${bytes} bytes); the download was deleted — the URL serves a different or corrupted file`,
      ctx,
      { expected: opts.sha256, actual, bytes },
    );
  }
  try {
    renameSync(part, opts.dest);
  } catch (err) {
    throw diskError(opts.dest, err, ctx);
  }
  return { path: opts.dest, sha256: actual, bytes, resumed, attempts: attempt };
}

/** One GET (following redirects), appending to `part`. Resolves when the body is complete. */
async function fetchOnce(opts: DownloadOptions, part: string, ctx: ErrorContext): Promise<{ resumed: boolean }> {
  const idleMs = opts.idleTimeoutMs ?? 30_000;
  let url = opts.url;
  for (let redirects = 0; ; redirects++) {
    const offset = partSize(part);
    const res = await request(url, offset, idleMs, opts.signal, ctx);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      if (redirects >= (opts.maxRedirects ?? 5)) throw new DownloadError('ERR_DOWNLOAD_HTTP', `too many redirects (last to ${redactUrl(res.headers.location)})`, ctx, { status });
      url = new URL(res.headers.location, url).toString();
      continue;
    }
    if (status === 416 && offset > 0) {
      // Range past the end: the part is probably complete already. The checksum decides.
      res.resume();
      const total = /\/(\d+)$/.exec(res.headers['content-range'] ?? '')?.[1];
      if (total !== undefined && Number(total) === offset) return { resumed: true };
      truncateSync(part, 0);
      continue;
    }
    if (status !== 200 && status !== 206) {
      res.resume();
      const what = status === 404 ? 'not found' : status === 401 || status === 403 ? 'access denied' : res.statusMessage ?? '';
      throw new DownloadError('ERR_DOWNLOAD_HTTP', `HTTP ${status} ${what} for ${redactUrl(url)}`, ctx, { status });
    }
    let start = 0;
    let total: number | undefined;
    if (status === 206) {
      const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers['content-range'] ?? '');
      start = m ? Number(m[1]) : -1;
      if (start !== offset) {
        res.resume();
        truncateSync(part, 0); // the server answered a range we did not ask for: start over
        throw new DownloadError('ERR_DOWNLOAD_NETWORK', `server sent range ${res.headers['content-range'] ?? '(none)'} for a request from byte ${offset}`, ctx);
      }
      total = m && m[3] !== '*' ? Number(m[3]) : undefined;
    } else {
      const len = Number(res.headers['content-length']);
      total = Number.isFinite(len) && len >= 0 ? len : undefined;
    }
    if (opts.expectedBytes !== undefined && total !== undefined && total !== opts.expectedBytes) {
      res.resume();
      rmSync(part, { force: true });
      throw new DownloadError('ERR_DOWNLOAD_CHECKSUM', `${redactUrl(url)} serves ${total} bytes but ${opts.expectedBytes} are expected: a different file`, ctx, { expectedBytes: opts.expectedBytes, totalBytes: total });
    }
    await writeBody(res, part, start, total, opts, ctx, idleMs);
    return { resumed: start > 0 };
  }
}

function request(url: string, offset: number, idleMs: number, signal: AbortSignal | undefined, ctx: ErrorContext): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      reject(new DownloadError('ERR_DOWNLOAD_HTTP', `invalid URL ${redactUrl(url)}`, ctx));
      return;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      reject(new DownloadError('ERR_DOWNLOAD_HTTP', `unsupported URL scheme ${u.protocol} (http and https only)`, ctx));
      return;
    }
    const headers: Record<string, string> = { 'user-agent': 'panoptic-stream', accept: '*/*' };
    if (offset > 0) headers.range = `bytes=${offset}-`;
    const onTimeout = (): void => {
      req.destroy(new DownloadError('ERR_DOWNLOAD_TIMEOUT', `no response from ${u.host} within ${idleMs} ms`, ctx, { timeoutMs: idleMs }));
    };
    // agent:false: one fresh connection per request, so no pooled socket carries old timeouts.
    const req = (u.protocol === 'https:' ? https : http).get(u, { headers, signal, agent: false }, (res) => {
      req.off('timeout', onTimeout); // the body has its own stall timeout (writeBody)
      resolve(res);
    });
    req.on('timeout', onTimeout);
    req.setTimeout(idleMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof DownloadError) reject(err);
      else if (signal?.aborted) reject(abortReason(signal));
      else {
        const hint = NETWORK_HINTS[err.code ?? ''] ?? err.message;
        reject(new DownloadError('ERR_DOWNLOAD_NETWORK', `cannot reach ${u.host}: ${hint}${err.code ? ` (${err.code})` : ''}`, ctx, { errno: err.code }, err));
      }
    });
  });
}

function writeBody(res: IncomingMessage, part: string, start: number, total: number | undefined, opts: DownloadOptions, ctx: ErrorContext, idleMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let out: WriteStream;
    try {
      if (start === 0 && existsSync(part)) truncateSync(part, 0);
      out = createWriteStream(part, { flags: start > 0 ? 'a' : 'w' });
    } catch (err) {
      res.resume();
      reject(diskError(part, err, ctx));
      return;
    }
    let received = start;
    let failed: Error | undefined;
    const fail = (e: Error): void => {
      if (failed) return;
      failed = e;
      res.destroy();
      out.end();
    };
    res.setTimeout(idleMs, () => fail(new DownloadError('ERR_DOWNLOAD_TIMEOUT', `download stalled: no data for ${idleMs} ms after ${received} bytes`, ctx, { timeoutMs: idleMs, receivedBytes: received })));
    out.on('error', (err) => fail(diskError(part, err, ctx)));
    let ended = false;
    res.on('data', (chunk: Buffer) => {
      if (failed) return;
      received += chunk.length;
      if (!out.write(chunk)) {
        res.pause();
        out.once('drain', () => res.resume());
      }
      opts.onProgress?.({ receivedBytes: received, totalBytes: total, resumedFromBytes: start });
    });
    res.on('aborted', () => fail(new DownloadError('ERR_DOWNLOAD_NETWORK', `connection closed after ${received}${total !== undefined ? ` of ${total}` : ''} bytes`, ctx, { receivedBytes: received })));
    res.on('error', (err) => fail(new DownloadError('ERR_DOWNLOAD_NETWORK', `connection failed after ${received} bytes: ${err.message}`, ctx, { receivedBytes: received }, err)));
    res.on('close', () => {
      if (!ended) fail(new DownloadError('ERR_DOWNLOAD_NETWORK', `connection closed after ${received}${total !== undefined ? ` of ${total}` : ''} bytes`, ctx, { receivedBytes: received }));
    });
    res.on('end', () => {
      ended = true;
      if (total !== undefined && received < total) fail(new DownloadError('ERR_DOWNLOAD_NETWORK', `connection closed after ${received} of ${total} bytes`, ctx, { receivedBytes: received }));
      else out.end();
    });
    out.on('close', () => {
      if (failed) reject(opts.signal?.aborted ? abortReason(opts.signal) : failed);
      else resolve();
    });
  });
}
