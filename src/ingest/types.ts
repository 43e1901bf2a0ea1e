/**
 * Ingest contracts: options of a {@link FrameSource}, its states and events, retry policy and stats.
 * Frames travel on `frames$` (an Observable); everything here is control data.
 */
import type { PanopticError } from '../core/errors.js';

/** Lifecycle states of a source. `failed` and `stopped` are terminal. */
export type SourceState = 'connecting' | 'streaming' | 'stalled' | 'reconnecting' | 'failed' | 'stopped';

/** Retry policy as data (hls.js style). Delays in milliseconds. */
export interface RetryPolicy {
  /** Restarts allowed after a failure before the source goes `failed`. Default `Infinity` (live cameras). */
  maxRetries: number;
  /** Delay before the first restart. Default 500 ms. */
  initialDelayMs: number;
  /** Upper bound of any delay. Default 10 000 ms. */
  maxDelayMs: number;
  /** Multiplier per attempt. Default 2. */
  backoffFactor: number;
  /** ± fraction of random jitter applied to each delay (0..1). Default 0.2. */
  jitterRatio: number;
}

/** Output size in pixels. */
export interface Size {
  width: number;
  height: number;
}

export type RtspTransport = 'tcp' | 'udp';

/** How the source reacts when a frame is pending and a pull consumer has not taken it yet. */
export type BackpressureMode = 'drop' | 'pause';

export interface FrameSourceOptions {
  /** Camera id carried by every frame, event, log line and error. Required, non-empty. */
  cameraId: string;
  /** Source URL (see docs/ingest.md for the allow-list). Credentials are redacted everywhere. */
  url: string;
  /** Output width in pixels. Default: the source's native width (probed). Must be even with height when set. */
  width?: number;
  /** Output height in pixels. Default: the source's native height (probed). */
  height?: number;
  /** Second output of the same decode (e.g. for the model), delivered as `frame.scaled`. Default none. */
  scaled?: Size;
  /** Cap on the output frame rate (frames/s); frames are dropped by FFmpeg above it. Default: no cap. */
  maxFps?: number;
  /** Loop a local file forever (`-stream_loop -1`). Default false. */
  loop?: boolean;
  /** Read a local file at its native frame rate (`-re`) so it behaves like a camera. Default: same as `loop`. */
  realtime?: boolean;
  /** RTSP lower transport. Default `tcp`. */
  transport?: RtspTransport;
  /** Restart policy; merged over the defaults ({@link defaultRetryPolicy}). */
  retry?: Partial<RetryPolicy>;
  /** No bytes from FFmpeg for this long while we are reading → `stalled` and a restart. Default 5000 ms. */
  stallTimeoutMs?: number;
  /** Network connect/read timeout given to FFmpeg and the probe. Default 5000 ms. */
  ioTimeoutMs?: number;
  /** Probe timeout (ffprobe wall clock). Default 10 000 ms. */
  probeTimeoutMs?: number;
  /** Extra protocols allowed in `-protocol_whitelist` (e.g. `['file']` for an HLS playlist on disk). Default none. */
  extraProtocols?: string[];
  /** Back-pressure for the pull API ({@link FrameSource.latest}): `drop` (default) keeps reading and keeps the
   * newest frame, counting drops; `pause` stops reading the pipe until the pending frame is taken (no drops;
   * the watchdog ignores the paused time). */
  backpressure?: BackpressureMode;
  /** SIGINT → SIGTERM → SIGKILL grace periods on stop, each. Default 2000 ms. */
  killGraceMs?: number;
  /** Override FFmpeg binary (else FFMPEG_PATH, PATH, npm). */
  ffmpegPath?: string;
  /** Override ffprobe binary (else FFPROBE_PATH, PATH). */
  ffprobePath?: string;
}

/** One state transition. `stderrTail` holds the last FFmpeg stderr lines (redacted). */
export interface StateEvent {
  cameraId: string;
  state: SourceState;
  previous: SourceState;
  reason: string;
  /** Error code (e.g. `ERR_SOURCE_REFUSED`) when the transition is caused by an error. */
  code?: string;
  /** Exit code of the FFmpeg child when it exited (null when killed by a signal). */
  exitCode?: number | null;
  /** Signal that ended the child, if any. */
  exitSignal?: string | null;
  stderrTail: string[];
  /** Restart attempt number (1-based) for `reconnecting`. */
  attempt?: number;
  /** Delay before the next attempt for `reconnecting`, in ms. */
  delayMs?: number;
  /** Wall clock of the transition, ms since epoch. */
  atMs: number;
}

export interface FrameSourceEvents extends Record<string, unknown> {
  state: StateEvent;
  /** A typed error (also carried by the matching state event's `code`). */
  error: PanopticError;
  /** Native input size changed mid-stream (before a restart when the output follows the native size). */
  resolution: { cameraId: string; from: Size; to: Size; atMs: number };
}

export interface SourceStats {
  cameraId: string;
  state: SourceState;
  /** Complete frames read from FFmpeg. */
  framesIn: number;
  /** Frames delivered (to `frames$` subscribers or taken by the pull API). */
  framesEmitted: number;
  /** Frames replaced by a newer one before anyone took them. */
  framesDropped: number;
  /** Bytes read from FFmpeg's pipes. */
  bytesIn: number;
  /** FFmpeg restarts since start. */
  restarts: number;
  /** Frames/s read, averaged over the last ~2 s. */
  fps: number;
  /** Output size in pixels (0×0 until known). */
  width: number;
  height: number;
}

/** Result of probing a source. */
export interface ProbeResult {
  url: string;
  format?: string;
  codec: string;
  width: number;
  height: number;
  /** Frames/s (average when known, else nominal); 0 when unknown. */
  fps: number;
  /** Seconds; undefined for live sources. */
  durationSec?: number;
  /** Pixel format as reported by FFmpeg. */
  pixFmt?: string;
  /** Which tool produced it (`ffprobe`, or `ffmpeg` when ffprobe is missing). */
  via: 'ffprobe' | 'ffmpeg';
}
