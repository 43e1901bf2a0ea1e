/**
 * Typed source errors and the stderr classifier shared by the probe and the FFmpeg child: every failure
 * of a source becomes a {@link SourceError} with a stable `code`, the camera id and redacted stderr.
 */
import { PanopticError } from '../core/errors.js';
import { redactText } from '../core/redact.js';
import type { SourceKind } from './url.js';

export const SourceErrorCode = {
  NOT_FOUND: 'ERR_SOURCE_NOT_FOUND',
  IS_DIRECTORY: 'ERR_SOURCE_IS_DIRECTORY',
  PERMISSION: 'ERR_SOURCE_PERMISSION',
  INVALID_DATA: 'ERR_SOURCE_INVALID_DATA',
  TRUNCATED: 'ERR_SOURCE_TRUNCATED',
  NO_VIDEO: 'ERR_SOURCE_NO_VIDEO',
  REFUSED: 'ERR_SOURCE_REFUSED',
  TIMEOUT: 'ERR_SOURCE_TIMEOUT',
  UNREACHABLE: 'ERR_SOURCE_UNREACHABLE',
  NOT_FOUND_REMOTE: 'ERR_SOURCE_NOT_FOUND_REMOTE',
  UNAUTHORIZED: 'ERR_SOURCE_UNAUTHORIZED',
  REMOTE_ERROR: 'ERR_SOURCE_REMOTE_ERROR',
  PROTOCOL_FORBIDDEN: 'ERR_SOURCE_PROTOCOL_FORBIDDEN',
  STALLED: 'ERR_SOURCE_STALLED',
  EXITED: 'ERR_SOURCE_EXITED',
  SPAWN: 'ERR_SOURCE_SPAWN',
  FFPROBE_MISSING: 'ERR_FFPROBE_MISSING',
} as const;
export type SourceErrorCodeValue = (typeof SourceErrorCode)[keyof typeof SourceErrorCode];

export interface SourceErrorInit {
  cameraId: string;
  /** Redacted URL. */
  url: string;
  stderrTail?: string[];
  exitCode?: number | null;
  /** Fatal: retrying cannot help (bad config, missing local file). */
  fatal?: boolean;
  cause?: unknown;
}

/** A source failure. Message: `[camera:lobby, url:rtsp://u:***@h/x] connection refused (ERR_SOURCE_REFUSED)`. */
export class SourceError extends PanopticError {
  readonly cameraId: string;
  readonly stderrTail: string[];
  constructor(code: SourceErrorCodeValue, problem: string, init: SourceErrorInit) {
    const tail = (init.stderrTail ?? []).map(redactText);
    super(`${problem} (${code})`, {
      code,
      fatal: init.fatal ?? false,
      context: { camera: init.cameraId, url: init.url },
      cause: init.cause,
      details: { cameraId: init.cameraId, stderrTail: tail, ...(init.exitCode !== undefined ? { exitCode: init.exitCode } : {}) },
    });
    this.cameraId = init.cameraId;
    this.stderrTail = tail;
  }
}

export interface Classification {
  code: SourceErrorCodeValue;
  problem: string;
  /** Whether a local file error: retrying will not help. */
  fatalForLocal: boolean;
}

const RULES: [RegExp, SourceErrorCodeValue, string][] = [
  [/not on whitelist|Protocol not found/i, SourceErrorCode.PROTOCOL_FORBIDDEN, 'protocol not allowed for this source (protocol_whitelist)'],
  [/\b401\b|Unauthorized|authorization failed|\b403\b|Forbidden/i, SourceErrorCode.UNAUTHORIZED, 'authentication failed (401/403): check the credentials'],
  [/\b404\b|Not Found/, SourceErrorCode.NOT_FOUND_REMOTE, 'remote path not found (404)'],
  [/Connection refused/i, SourceErrorCode.REFUSED, 'connection refused'],
  [/timed out|Operation timed out/i, SourceErrorCode.TIMEOUT, 'timed out'],
  [/No route to host|Network is unreachable|Name or service not known|Temporary failure in name resolution|Failed to resolve hostname|Host is unreachable/i, SourceErrorCode.UNREACHABLE, 'host unreachable'],
  [/Server returned [45]\d\d|Server returned \d{3}/i, SourceErrorCode.REMOTE_ERROR, 'server error'],
  [/Is a directory/i, SourceErrorCode.IS_DIRECTORY, 'is a directory, not a video file'],
  [/No such file or directory/i, SourceErrorCode.NOT_FOUND, 'file not found'],
  [/Permission denied/i, SourceErrorCode.PERMISSION, 'permission denied'],
  [/partial file/i, SourceErrorCode.TRUNCATED, 'file is truncated (partial file)'],
  [/does not contain any stream|no video stream|Stream map .* matches no streams/i, SourceErrorCode.NO_VIDEO, 'no video stream'],
  [/Invalid data found|moov atom not found|could not find codec parameters|Invalid NAL|End of file|error reading header/i, SourceErrorCode.INVALID_DATA, 'not a readable video (invalid or corrupt data)'],
];

/**
 * Maps FFmpeg/ffprobe stderr to an error code. `elapsedMs`/`ioTimeoutMs` let a network read that ran into
 * the socket timeout count as a timeout even when FFmpeg only says "Invalid data" (its RTSP demuxer does).
 */
export function classifyStderr(lines: readonly string[], ctx: { kind: SourceKind; elapsedMs?: number; ioTimeoutMs?: number }): Classification {
  const text = lines.join('\n');
  const network = ctx.kind === 'rtsp' || ctx.kind === 'http' || ctx.kind === 'hls' || ctx.kind === 'rtmp';
  for (const [re, code, problem] of RULES) {
    if (!re.test(text)) continue;
    if (network && code === SourceErrorCode.INVALID_DATA && ctx.elapsedMs !== undefined && ctx.ioTimeoutMs !== undefined && ctx.elapsedMs >= ctx.ioTimeoutMs * 0.9)
      return { code: SourceErrorCode.TIMEOUT, problem: `no answer within ${ctx.ioTimeoutMs} ms (timed out)`, fatalForLocal: false };
    return { code, problem, fatalForLocal: code !== SourceErrorCode.TRUNCATED };
  }
  const last = lines.filter((l) => l.trim()).at(-1);
  return { code: SourceErrorCode.EXITED, problem: last ? `ffmpeg failed: ${last.trim()}` : 'ffmpeg exited', fatalForLocal: false };
}
