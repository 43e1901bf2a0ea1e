/**
 * Probing a source (ffprobe JSON; `ffmpeg -i` parsing when only FFmpeg is installed): codec, size, fps,
 * duration — with a wall-clock timeout and typed {@link SourceError}s mapped from stderr.
 */
import { createLogger } from '../core/logger.js';
import { linkedController } from '../core/abort.js';
import { resolveFfmpeg, resolveFfprobe } from './ffmpeg-binary.js';
import { StderrTail, spawnTool, stopChild } from './child-process.js';
import { SourceError, SourceErrorCode, classifyStderr } from './source-error.js';
import { buildInputArgs, parseSourceUrl, type SourceSpec } from './url.js';
import type { ProbeResult, RtspTransport } from './types.js';

const log = createLogger('ingest:probe');

export interface ProbeOptions {
  /** Camera id named in errors. Default `probe`. */
  cameraId?: string;
  /** Wall-clock limit in ms. Default 10 000. */
  timeoutMs?: number;
  /** Socket timeout given to ffprobe, in ms. Default 5000. */
  ioTimeoutMs?: number;
  /** RTSP transport. Default tcp. */
  transport?: RtspTransport;
  extraProtocols?: string[];
  ffprobePath?: string;
  ffmpegPath?: string;
  signal?: AbortSignal;
}

function parseRate(r: unknown): number {
  if (typeof r !== 'string') return 0;
  const [n, d] = r.split('/').map(Number);
  if (!n || !Number.isFinite(n)) return 0;
  const v = d ? n / d : n;
  return Number.isFinite(v) && v > 0 && v < 1000 ? Math.round(v * 1000) / 1000 : 0;
}

interface RunResult {
  stdout: string;
  tail: string[];
  code: number | null;
  elapsedMs: number;
  timedOut: boolean;
}

async function runTool(file: string, args: string[], timeoutMs: number, signal: AbortSignal | undefined): Promise<RunResult> {
  const started = Date.now();
  const tail = new StderrTail(30);
  const s = spawnTool(file, args);
  const out: Buffer[] = [];
  let outLen = 0;
  s.child.stdout!.on('data', (c: Buffer) => {
    if (outLen < 4 << 20) out.push(c);
    outLen += c.length;
  });
  s.child.stderr!.on('data', (c: Buffer) => tail.push(c));
  const ctl = linkedController(signal);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctl.abort();
  }, timeoutMs);
  const onAbort = (): void => void stopChild(s, 500);
  ctl.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const info = await s.exited;
    if (info.spawnError) throw info.spawnError;
    tail.flush();
    return { stdout: Buffer.concat(out).toString('utf8'), tail: tail.tail(), code: info.code, elapsedMs: Date.now() - started, timedOut };
  } finally {
    clearTimeout(timer);
    ctl.signal.removeEventListener('abort', onAbort);
    ctl.dispose();
  }
}

/** Probes `url`. Throws ConfigError for a bad URL, SourceError (typed `code`) when the source cannot be read. */
export async function probeSource(url: string | SourceSpec, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const spec = typeof url === 'string' ? parseSourceUrl(url) : url;
  const cameraId = opts.cameraId ?? 'probe';
  if (spec.synthetic) {
    const { width, height, rate, pattern } = spec.synthetic;
    return { url: spec.redacted, format: 'lavfi', codec: `rawvideo (${pattern})`, width, height, fps: rate, via: 'ffmpeg' };
  }
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const ioTimeoutMs = opts.ioTimeoutMs ?? 5000;
  const input = buildInputArgs(spec, { transport: opts.transport, ioTimeoutMs, extraProtocols: opts.extraProtocols });
  const ffprobe = resolveFfprobe(opts.ffprobePath);
  const base = { cameraId, url: spec.redacted };
  if (opts.signal?.aborted) throw opts.signal.reason;
  let r: RunResult;
  try {
    r = ffprobe
      ? await runTool(ffprobe, ['-hide_banner', '-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-select_streams', 'v:0', ...input], timeoutMs, opts.signal)
      : await runTool(resolveFfmpeg(opts.ffmpegPath), ['-hide_banner', '-nostdin', ...input], timeoutMs, opts.signal);
  } catch (err) {
    throw new SourceError(SourceErrorCode.SPAWN, `cannot run ${ffprobe ?? 'ffmpeg'}: ${(err as Error).message}`, { ...base, fatal: true, cause: err });
  }
  if (opts.signal?.aborted) throw opts.signal.reason;
  log.debug('probe finished', { cameraId, url: spec.redacted, code: r.code, elapsedMs: r.elapsedMs });
  if (r.timedOut) throw new SourceError(SourceErrorCode.TIMEOUT, `probe gave no answer within ${timeoutMs} ms`, { ...base, stderrTail: r.tail });
  const local = spec.kind === 'file' || spec.kind === 'device';
  if (!ffprobe) return parseFfmpegBanner(spec, r, base, local, ioTimeoutMs);
  if (r.code !== 0) {
    const c = classifyStderr(r.tail, { kind: spec.kind, elapsedMs: r.elapsedMs, ioTimeoutMs });
    throw new SourceError(c.code, c.problem, { ...base, stderrTail: r.tail, exitCode: r.code, fatal: local && c.fatalForLocal });
  }
  let json: { streams?: Record<string, unknown>[]; format?: Record<string, unknown> };
  try {
    json = JSON.parse(r.stdout) as typeof json;
  } catch {
    throw new SourceError(SourceErrorCode.INVALID_DATA, 'ffprobe printed no JSON', { ...base, stderrTail: r.tail, fatal: local });
  }
  const st = json.streams?.[0];
  const width = Number(st?.width);
  const height = Number(st?.height);
  if (!st || !(width > 0) || !(height > 0)) throw new SourceError(SourceErrorCode.NO_VIDEO, 'no video stream', { ...base, stderrTail: r.tail, fatal: local });
  const duration = Number(json.format?.duration ?? st.duration);
  return {
    url: spec.redacted,
    format: typeof json.format?.format_name === 'string' ? json.format.format_name : undefined,
    codec: String(st.codec_name ?? 'unknown'),
    width,
    height,
    fps: parseRate(st.avg_frame_rate) || parseRate(st.r_frame_rate),
    ...(Number.isFinite(duration) && duration > 0 ? { durationSec: duration } : {}),
    ...(typeof st.pix_fmt === 'string' ? { pixFmt: st.pix_fmt } : {}),
    via: 'ffprobe',
  };
}

/** Fallback without ffprobe: `ffmpeg -i URL` prints the stream banner to stderr and exits 1. */
function parseFfmpegBanner(spec: SourceSpec, r: RunResult, base: { cameraId: string; url: string }, local: boolean, ioTimeoutMs: number): ProbeResult {
  const video = r.tail.find((l) => /Stream #\d+:\d+.*: Video: /.test(l));
  if (!video) {
    const c = classifyStderr(r.tail, { kind: spec.kind, elapsedMs: r.elapsedMs, ioTimeoutMs });
    throw new SourceError(c.code, `${c.problem} (probed with ffmpeg: ffprobe not installed)`, { ...base, stderrTail: r.tail, exitCode: r.code, fatal: local && c.fatalForLocal });
  }
  const size = /\b(\d{2,5})x(\d{2,5})\b/.exec(video);
  const fps = /([\d.]+) fps/.exec(video) ?? /([\d.]+) tbr/.exec(video);
  const dur = /Duration: (\d+):(\d+):([\d.]+)/.exec(r.tail.join('\n'));
  const durationSec = dur ? Number(dur[1]) * 3600 + Number(dur[2]) * 60 + Number(dur[3]) : undefined;
  return {
    url: spec.redacted,
    codec: /Video: (\w+)/.exec(video)?.[1] ?? 'unknown',
    width: size ? Number(size[1]) : 0,
    height: size ? Number(size[2]) : 0,
    fps: fps ? Number(fps[1]) : 0,
    ...(durationSec ? { durationSec } : {}),
    via: 'ffmpeg',
  };
}
