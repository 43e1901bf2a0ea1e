/**
 * Source URL validation and FFmpeg input arguments.
 *
 * Only allow-listed schemes are accepted (rtsp, rtsps, http, https, rtmp, rtmps, file paths / `file://`,
 * `/dev/videoN`, `testsrc:`); anything else (javascript:, concat:, data:, pipe:, garbage) is a
 * {@link ConfigError} naming the field and the redacted value. Every input gets a `-protocol_whitelist`
 * restricted to what its scheme needs, so an HLS playlist or a redirect cannot pull in `file:` or other
 * protocols unless the caller allows them explicitly (`extraProtocols`).
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../core/errors.js';
import { redactUrl } from '../core/redact.js';
import type { RtspTransport } from './types.js';

export type SourceKind = 'rtsp' | 'http' | 'hls' | 'rtmp' | 'file' | 'device' | 'synthetic';

export interface SourceSpec {
  kind: SourceKind;
  /** The URL/path as given (may contain credentials: never log it; use `redacted`). */
  input: string;
  /** What FFmpeg receives after `-i`. */
  ffmpegInput: string;
  /** Safe to log. */
  redacted: string;
  scheme: string;
  /** Network sources (reconnect on exit); files and devices are local. */
  network: boolean;
  /** Protocols FFmpeg may use for this input. */
  protocols: string[];
  /** Synthetic pattern parameters. */
  synthetic?: { pattern: string; width: number; height: number; rate: number };
}

export const ALLOWED_SCHEMES = ['rtsp', 'rtsps', 'http', 'https', 'rtmp', 'rtmps', 'file', 'testsrc'] as const;
const SYNTHETIC_PATTERNS = ['testsrc2', 'testsrc', 'smptebars', 'rgbtestsrc'];
const PROTOCOLS: Record<string, string[]> = {
  rtsp: ['rtsp', 'rtp', 'udp', 'tcp'],
  rtsps: ['rtsp', 'rtsps', 'rtp', 'srtp', 'udp', 'tcp', 'tls'],
  http: ['http', 'https', 'tcp', 'tls'],
  https: ['http', 'https', 'tcp', 'tls'],
  hls: ['http', 'https', 'tcp', 'tls', 'crypto'],
  rtmp: ['rtmp', 'tcp'],
  rtmps: ['rtmp', 'rtmps', 'tcp', 'tls'],
  file: ['file'],
};
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
// eslint-disable-next-line no-control-regex -- rejecting control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Parses and validates a source URL or path. Throws {@link ConfigError} naming `field`. */
export function parseSourceUrl(value: unknown, field = 'url'): SourceSpec {
  if (typeof value !== 'string') throw new ConfigError(field, value, 'expected a URL or file path string');
  const input = value;
  const redacted = redactUrl(input);
  const bad = (problem: string): never => {
    throw new ConfigError(field, redacted, problem);
  };
  if (!input.trim()) bad('empty URL');
  if (input !== input.trim()) bad('leading or trailing whitespace');
  if (CONTROL.test(input)) bad('contains control characters');
  const m = SCHEME.exec(input);
  if (!m) {
    if (/^(rtsps?|https?|rtmps?|file)\/\//i.test(input)) bad('looks like a URL with a missing ":" after the scheme');
    if (input.includes('://') || input.startsWith(':')) bad(`not a valid URL or path; allowed schemes: ${ALLOWED_SCHEMES.join(', ')}, or a file path`);
    return fileSpec(input, resolve(input), redacted);
  }
  const scheme = m[1]!.toLowerCase();
  if (!(ALLOWED_SCHEMES as readonly string[]).includes(scheme)) bad(`unsupported scheme "${scheme}:"; allowed: ${ALLOWED_SCHEMES.join(', ')}, or a file path`);
  if (scheme === 'testsrc') return syntheticSpec(input, redacted, field);
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return bad('not a valid URL');
  }
  if (scheme === 'file') {
    if (url.host && url.host !== 'localhost') bad('file URLs must be local (file:///path)');
    return fileSpec(input, fileURLToPath(url), redacted);
  }
  if (!url.hostname) bad('missing host');
  if (!input.slice(scheme.length + 1).startsWith('//')) bad('expected scheme://host/...');
  const isHls = (scheme === 'http' || scheme === 'https') && /\.m3u8$/i.test(url.pathname);
  const kind: SourceKind = scheme.startsWith('rtsp') ? 'rtsp' : scheme.startsWith('rtmp') ? 'rtmp' : isHls ? 'hls' : 'http';
  return { kind, input, ffmpegInput: input, redacted, scheme, network: true, protocols: PROTOCOLS[isHls ? 'hls' : scheme]! };
}

function fileSpec(input: string, path: string, redacted: string): SourceSpec {
  const abs = isAbsolute(path) ? path : resolve(path);
  if (/^\/dev\/video\d+$/.test(abs)) return { kind: 'device', input, ffmpegInput: abs, redacted, scheme: 'v4l2', network: false, protocols: ['file'] };
  // `file:` prefix: FFmpeg must never read a path as another protocol (`concat:a|b`, `subfile,,...`).
  return { kind: 'file', input, ffmpegInput: `file:${abs}`, redacted, scheme: 'file', network: false, protocols: ['file'] };
}

function syntheticSpec(input: string, redacted: string, field: string): SourceSpec {
  const q = input.indexOf('?');
  const params = new URLSearchParams(q >= 0 ? input.slice(q + 1) : '');
  const rest = (q >= 0 ? input.slice(0, q) : input).replace(/^testsrc:(\/\/)?/i, '');
  const pattern = rest.replace(/\/$/, '') || params.get('pattern') || 'testsrc2';
  if (!SYNTHETIC_PATTERNS.includes(pattern)) throw new ConfigError(`${field}.pattern`, pattern, `unknown pattern; valid: ${SYNTHETIC_PATTERNS.join(', ')}`);
  for (const k of params.keys()) if (!['size', 'rate', 'pattern'].includes(k)) throw new ConfigError(`${field}.${k}`, params.get(k), 'unknown parameter; valid: size, rate, pattern');
  const size = params.get('size') ?? '640x360';
  const sm = /^(\d{1,5})x(\d{1,5})$/.exec(size);
  const width = sm ? Number(sm[1]) : NaN;
  const height = sm ? Number(sm[2]) : NaN;
  if (!sm || width < 16 || height < 16 || width > 7680 || height > 4320 || width % 2 || height % 2)
    throw new ConfigError(`${field}.size`, size, 'expected WIDTHxHEIGHT, even numbers between 16x16 and 7680x4320');
  const rateText = params.get('rate') ?? '10';
  const rate = Number(rateText);
  if (!Number.isFinite(rate) || rate <= 0 || rate > 120) throw new ConfigError(`${field}.rate`, rateText, 'expected frames/s in (0, 120]');
  return {
    kind: 'synthetic',
    input,
    ffmpegInput: `${pattern}=size=${width}x${height}:rate=${rate}`,
    redacted,
    scheme: 'testsrc',
    network: false,
    protocols: [],
    synthetic: { pattern, width, height, rate },
  };
}

export interface InputArgOptions {
  /** RTSP lower transport. Default tcp. */
  transport?: RtspTransport;
  /** Socket connect/read timeout in ms. Default 5000. */
  ioTimeoutMs?: number;
  /** Loop a local file forever. Default false. */
  loop?: boolean;
  /** Read at native rate (`-re`). Default: `loop` for files, always for synthetic. */
  realtime?: boolean;
  /** Protocols added to the whitelist (e.g. `file` for a local HLS playlist). */
  extraProtocols?: string[];
}

/** FFmpeg arguments that open the input, ending with `-i <input>`. Pure; validated options. */
export function buildInputArgs(spec: SourceSpec, opts: InputArgOptions = {}): string[] {
  const ioUs = String(Math.round((opts.ioTimeoutMs ?? 5000) * 1000));
  const args: string[] = [];
  if (opts.loop && spec.kind !== 'file') throw new ConfigError('loop', true, `only local files can be looped (this source is ${spec.kind})`);
  for (const p of opts.extraProtocols ?? []) if (!/^[a-z0-9_]+$/.test(p)) throw new ConfigError('extraProtocols', p, 'expected a protocol name like "file"');
  const protocols = [...new Set([...spec.protocols, ...(opts.extraProtocols ?? [])])];
  switch (spec.kind) {
    case 'rtsp':
      args.push('-rtsp_transport', opts.transport ?? 'tcp', '-timeout', ioUs);
      break;
    case 'http':
    case 'hls':
      args.push('-rw_timeout', ioUs, '-timeout', ioUs);
      break;
    case 'rtmp':
      args.push('-rw_timeout', ioUs);
      break;
    case 'file':
      if (opts.realtime ?? opts.loop) args.push('-re');
      if (opts.loop) args.push('-stream_loop', '-1');
      break;
    case 'device':
      args.push('-f', 'v4l2');
      break;
    case 'synthetic':
      args.push('-re', '-f', 'lavfi');
      break;
  }
  if (protocols.length) args.push('-protocol_whitelist', protocols.join(','));
  args.push('-i', spec.ffmpegInput);
  return args;
}
