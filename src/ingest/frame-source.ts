/**
 * A camera: one FFmpeg child decoding to RGB24 frames, exposed as `frames$` (push) and `latest()` (pull,
 * newest frame wins), with typed state events, restart with backoff + jitter, a no-frame watchdog and a
 * clean stop. See docs/ingest.md for the state machine.
 */
import { Subject, type Observable } from 'rxjs';
import { abortReason, sleep } from '../core/abort.js';
import { ClosedError, PanopticError } from '../core/errors.js';
import { TypedEmitter } from '../core/events.js';
import { Closeable } from '../core/lifecycle.js';
import { createLogger } from '../core/logger.js';
import type { Frame } from '../core/types.js';
import { buildFfmpegArgs } from './ffmpeg-args.js';
import { resolveFfmpeg } from './ffmpeg-binary.js';
import { FfmpegRun } from './ffmpeg-run.js';
import { probeSource } from './probe.js';
import { backoffDelayMs, resolveRetryPolicy } from './retry-policy.js';
import { SourceError, SourceErrorCode, classifyStderr } from './source-error.js';
import { resolveFrameSourceOptions, type ResolvedOptions } from './frame-source-options.js';
import { parseSourceUrl, type SourceSpec } from './url.js';
import type { FrameSourceEvents, FrameSourceOptions, ProbeResult, RetryPolicy, Size, SourceState, SourceStats, StateEvent } from './types.js';

const log = createLogger('ingest:source');

class Events extends TypedEmitter<FrameSourceEvents> {
  fire<K extends keyof FrameSourceEvents>(type: K, e: FrameSourceEvents[K]): void {
    this.emit(type, e);
  }
}

type RunOutcome = { kind: 'exit'; code: number | null; signal: string | null; spawnError?: Error } | { kind: 'stalled'; silentMs: number } | { kind: 'resize'; to: Size } | { kind: 'closed' };

export class FrameSource extends Closeable {
  readonly cameraId: string;
  readonly spec: SourceSpec;
  readonly retry: RetryPolicy;
  private readonly opts: ResolvedOptions;
  private readonly events = new Events();
  private readonly subject = new Subject<Frame>();
  /** Hot stream of every frame read (synchronous delivery). Completes on stop/failure. */
  readonly frames$: Observable<Frame> = this.subject.asObservable();
  private st: SourceState = 'connecting';
  private started = false;
  private announced = false;
  private loop?: Promise<void>;
  private run?: FfmpegRun;
  private info?: ProbeResult;
  private native?: Size;
  private out?: Size;
  private seq = 0;
  private sessionFrames = 0;
  private counters = { framesIn: 0, framesEmitted: 0, framesDropped: 0, bytesIn: 0, restarts: 0 };
  private fpsWindow: number[] = [];
  // Pull mode: one slot holding the newest untaken frame, and the waiters of latest().
  private pullMode = false;
  private slot?: Frame;
  private waiters: { resolve(f: Frame): void; reject(e: Error): void }[] = [];
  private paused = false;
  private lastError?: PanopticError;
  /** Run index (restart count) in which FFmpeg reported a truncated file. */
  private truncatedRun?: number;

  constructor(options: FrameSourceOptions) {
    super();
    this.opts = resolveFrameSourceOptions(options);
    this.cameraId = this.opts.cameraId;
    this.spec = parseSourceUrl(options.url, 'url');
    this.retry = resolveRetryPolicy(options.retry);
  }

  /** Starts the source (idempotent). Listeners attached before this see the first `connecting`. */
  start(): this {
    this.assertOpen(`FrameSource(${this.cameraId})`);
    if (!this.started) {
      this.started = true;
      this.loop = this.runLoop().catch((err: unknown) => {
        log.error('source loop crashed', { cameraId: this.cameraId, err });
        this.transition('failed', `internal error: ${(err as Error).message}`, {});
      });
    }
    return this;
  }

  get state(): SourceState {
    return this.st;
  }
  /** Last probe result (native size, fps, codec). */
  get probe(): ProbeResult | undefined {
    return this.info;
  }
  /** Output size once known. */
  get outputSize(): Size | undefined {
    return this.out;
  }

  on<K extends keyof FrameSourceEvents>(type: K, fn: (e: FrameSourceEvents[K]) => void): () => void {
    return this.events.on(type, fn);
  }
  once<K extends keyof FrameSourceEvents>(type: K, fn: (e: FrameSourceEvents[K]) => void): () => void {
    return this.events.once(type, fn);
  }

  /**
   * Pull API: resolves with the newest frame not taken yet, waiting for the next one if none. Calling it
   * switches the source's slot on: a frame replaced before anyone took it counts as dropped.
   */
  latest(signal?: AbortSignal): Promise<Frame> {
    if (this.closed || this.st === 'failed' || this.st === 'stopped') return Promise.reject(this.lastError ?? new ClosedError(`FrameSource(${this.cameraId})`));
    this.pullMode = true;
    const f = this.slot;
    if (f) {
      this.slot = undefined;
      this.counters.framesEmitted++;
      this.updatePause();
      return Promise.resolve(f);
    }
    return new Promise<Frame>((resolve, reject) => {
      const w = {
        resolve: (fr: Frame) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(fr);
        },
        reject: (e: Error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      const onAbort = (): void => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(abortReason(signal!));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(w);
    });
  }

  stats(): SourceStats {
    const now = Date.now();
    this.fpsWindow = this.fpsWindow.filter((t) => now - t <= 2000);
    const fps = this.fpsWindow.length > 1 ? ((this.fpsWindow.length - 1) * 1000) / Math.max(1, this.fpsWindow.at(-1)! - this.fpsWindow[0]!) : 0;
    return { cameraId: this.cameraId, state: this.st, ...this.counters, fps: Math.round(fps * 100) / 100, width: this.out?.width ?? 0, height: this.out?.height ?? 0 };
  }

  // ---- frames -------------------------------------------------------------------------------------

  private onFrame(data: Uint8Array, scaled: Uint8Array | undefined): void {
    const out = this.out!;
    const now = Date.now();
    this.counters.framesIn++;
    this.fpsWindow.push(now);
    if (this.fpsWindow.length > 600) this.fpsWindow.splice(0, 300);
    const fps = Math.min(this.info?.fps || 0, this.opts.maxFps ?? Infinity);
    const ptsMs = fps > 0 && Number.isFinite(fps) ? Math.round((this.sessionFrames * 1000) / fps) : now - (this.run?.startedAtMs ?? now);
    this.sessionFrames++;
    const frame: Frame = {
      cameraId: this.cameraId,
      seq: this.seq++,
      ptsMs,
      capturedAtMs: now,
      width: out.width,
      height: out.height,
      format: 'rgb24',
      data,
      ...(scaled && this.opts.scaled ? { scaled: { width: this.opts.scaled.width, height: this.opts.scaled.height, data: scaled } } : {}),
    };
    if (this.st !== 'streaming') this.transition('streaming', this.counters.restarts ? 'frames flowing again' : 'first frame', {});
    if (this.subject.observed) {
      this.counters.framesEmitted++;
      this.subject.next(frame);
    }
    if (!this.pullMode) return;
    const w = this.waiters.shift();
    if (w) {
      this.counters.framesEmitted++;
      w.resolve(frame);
      return;
    }
    if (this.slot) this.counters.framesDropped++;
    this.slot = frame;
    this.updatePause();
  }

  private updatePause(): void {
    const want = this.opts.backpressure === 'pause' && this.pullMode && this.slot !== undefined;
    if (want === this.paused || !this.run) return;
    this.paused = want;
    if (want) this.run.pause();
    else this.run.resume();
  }

  // ---- state machine ------------------------------------------------------------------------------

  private transition(state: SourceState, reason: string, extra: Partial<StateEvent>): void {
    const previous = this.st;
    if (previous === state && state !== 'reconnecting' && this.announced) return;
    this.announced = true;
    this.st = state;
    const e: StateEvent = { cameraId: this.cameraId, state, previous, reason, stderrTail: this.run?.tail() ?? [], atMs: Date.now(), ...extra };
    log.info(`${previous} → ${state}: ${reason}`, { cameraId: this.cameraId, url: this.spec.redacted, code: e.code, exitCode: e.exitCode });
    this.events.fire('state', e);
  }

  private fail(err: PanopticError): void {
    this.lastError = err;
    log.warn(err.message, { cameraId: this.cameraId, code: err.code });
    this.events.fire('error', err);
  }

  private async runLoop(): Promise<void> {
    let attempt = 0;
    this.transition('connecting', 'starting', {});
    while (!this.closed) {
      let outcome: RunOutcome;
      let err: PanopticError | undefined;
      try {
        outcome = await this.runOnce();
      } catch (e) {
        if (this.closed) break;
        err = e instanceof PanopticError ? e : new SourceError(SourceErrorCode.EXITED, (e as Error).message, { cameraId: this.cameraId, url: this.spec.redacted, cause: e });
        outcome = { kind: 'exit', code: null, signal: null };
      }
      if (this.closed || outcome.kind === 'closed') break;
      const tail = err instanceof SourceError ? err.stderrTail : (this.run?.tail() ?? []);
      const streamed = this.sessionFrames > 0;
      if (streamed) attempt = 0;
      if (outcome.kind === 'resize') {
        this.counters.restarts++;
        this.transition('reconnecting', `input size changed to ${outcome.to.width}x${outcome.to.height}; restarting at the new size`, { attempt: 0, delayMs: 0 });
        continue;
      }
      if (outcome.kind === 'stalled') {
        err = new SourceError(SourceErrorCode.STALLED, `no data from ffmpeg for ${outcome.silentMs} ms`, { cameraId: this.cameraId, url: this.spec.redacted, stderrTail: tail });
        this.transition('stalled', err.message, { code: err.code, stderrTail: tail });
      } else if (!err) {
        const ended = outcome.code === 0 && !this.isLive();
        const truncated = this.truncatedRun === this.counters.restarts;
        if (ended && !truncated) {
          this.transition('stopped', 'end of stream', { exitCode: outcome.code, stderrTail: tail });
          break;
        }
        if (truncated) err = this.lastError;
        else if (outcome.spawnError) err = new SourceError(SourceErrorCode.SPAWN, `cannot start ffmpeg: ${outcome.spawnError.message}`, { cameraId: this.cameraId, url: this.spec.redacted, fatal: true });
        else {
          const c = classifyStderr(tail, { kind: this.spec.kind });
          const local = this.spec.kind === 'file' || this.spec.kind === 'device';
          const problem = outcome.code === 0 ? 'stream ended' : c.problem;
          err = new SourceError(outcome.code === 0 ? SourceErrorCode.EXITED : c.code, problem, { cameraId: this.cameraId, url: this.spec.redacted, stderrTail: tail, exitCode: outcome.code, fatal: local && c.fatalForLocal && outcome.code !== 0 && !streamed });
        }
      }
      if (err !== this.lastError) this.fail(err!);
      const exitInfo = outcome.kind === 'exit' ? { exitCode: outcome.code, exitSignal: outcome.signal } : {};
      if (err!.fatal || attempt >= this.retry.maxRetries || (outcome.kind === 'exit' && !this.isLive() && err!.code === SourceErrorCode.TRUNCATED)) {
        this.transition('failed', err!.message, { code: err!.code, stderrTail: tail, ...exitInfo });
        break;
      }
      attempt++;
      const delayMs = backoffDelayMs(attempt, this.retry);
      this.counters.restarts++;
      this.transition('reconnecting', `${err!.message}; retry ${attempt}${Number.isFinite(this.retry.maxRetries) ? `/${this.retry.maxRetries}` : ''} in ${delayMs} ms`, { code: err!.code, attempt, delayMs, stderrTail: tail, ...exitInfo });
      try {
        await sleep(delayMs, this.signal);
      } catch {
        break;
      }
    }
    this.finish();
  }

  /** Files that are not looped end; everything else is restarted when FFmpeg exits. */
  private isLive(): boolean {
    if (this.opts.loop) return true;
    if (this.spec.kind === 'file') return false;
    if (this.spec.kind === 'http' || this.spec.kind === 'hls') return this.info?.durationSec === undefined;
    return true;
  }

  /** Probe (first run, or when the size is unknown), spawn FFmpeg, and wait for how this run ends. */
  private async runOnce(): Promise<RunOutcome> {
    const needSize = this.opts.width === undefined || this.opts.height === undefined;
    // Live sources with an explicit size start without a probe (faster; FFmpeg's stderr is classified the same way).
    const live = this.spec.kind === 'rtsp' || this.spec.kind === 'rtmp' || this.spec.kind === 'device';
    if (!needSize && live && !this.info) this.native = { width: this.opts.width!, height: this.opts.height! };
    else if (!this.info || (needSize && !this.native)) {
      this.info = await probeSource(this.spec, { cameraId: this.cameraId, timeoutMs: this.opts.probeTimeoutMs, ioTimeoutMs: this.opts.ioTimeoutMs, transport: this.opts.transport, extraProtocols: this.opts.extraProtocols, ffprobePath: this.opts.ffprobePath, ffmpegPath: this.opts.ffmpegPath, signal: this.signal });
      this.native = { width: this.info.width, height: this.info.height };
    }
    if (this.closed) return { kind: 'closed' };
    const native = this.native!;
    this.out = { width: this.opts.width ?? even(native.width), height: this.opts.height ?? even(native.height) };
    const args = buildFfmpegArgs(
      this.spec,
      { transport: this.opts.transport, ioTimeoutMs: this.opts.ioTimeoutMs, loop: this.opts.loop, realtime: this.opts.realtime, extraProtocols: this.opts.extraProtocols },
      { main: this.out, ...(this.opts.scaled ? { scaled: this.opts.scaled } : {}), ...(this.opts.maxFps ? { maxFps: this.opts.maxFps } : {}) },
    );
    return this.watchRun(resolveFfmpeg(this.opts.ffmpegPath), args);
  }

  private watchRun(ffmpeg: string, args: string[]): Promise<RunOutcome> {
    return new Promise<RunOutcome>((resolve) => {
      let settled = false;
      let lastInput: Size | undefined;
      let silentMs = 0;
      let bytesSinceCheck = 0;
      let lastCheck = Date.now();
      const runIndex = this.counters.restarts;
      this.sessionFrames = 0;
      this.paused = false;
      const settle = (o: RunOutcome): void => {
        if (settled) return;
        settled = true;
        clearInterval(timer);
        this.signal.removeEventListener('abort', onAbort);
        if (o.kind === 'exit') return resolve(o);
        // Stop the child and report after it really exited.
        void run.stop(this.opts.killGraceMs).then(() => resolve(o));
      };
      const run = new FfmpegRun(ffmpeg, args, { main: this.out!, ...(this.opts.scaled ? { scaled: this.opts.scaled } : {}) }, {
        onFrame: (m, s) => this.onFrame(m, s),
        onBytes: (n) => {
          bytesSinceCheck += n;
          this.counters.bytesIn += n;
        },
        onInputSize: (size) => {
          if (lastInput && (size.width !== lastInput.width || size.height !== lastInput.height)) {
            this.events.fire('resolution', { cameraId: this.cameraId, from: lastInput, to: size, atMs: Date.now() });
            if (this.opts.width === undefined || this.opts.height === undefined) {
              this.native = size;
              settle({ kind: 'resize', to: size });
            }
          }
          lastInput = size;
        },
        onStderrLine: (line) => {
          if (/partial file/i.test(line) && this.truncatedRun !== runIndex) {
            this.truncatedRun = runIndex;
            this.fail(new SourceError(SourceErrorCode.TRUNCATED, 'file is truncated (partial file)', { cameraId: this.cameraId, url: this.spec.redacted, stderrTail: run.tail() }));
          }
        },
      });
      this.run = run;
      // Watchdog: silence only accrues while we are reading (not paused by our own back-pressure), and a
      // late tick (event loop blocked by a busy consumer) counts as at most two periods.
      const period = Math.max(50, Math.min(500, this.opts.stallTimeoutMs / 4));
      const timer = setInterval(() => {
        const now = Date.now();
        const dt = Math.min(now - lastCheck, period * 2);
        lastCheck = now;
        if (bytesSinceCheck > 0 || this.paused) silentMs = 0;
        else silentMs += dt;
        bytesSinceCheck = 0;
        const limit = this.sessionFrames > 0 ? this.opts.stallTimeoutMs : this.opts.stallTimeoutMs + this.opts.ioTimeoutMs;
        if (silentMs >= limit) {
          this.transition('stalled', `no data from ffmpeg for ${Math.round(silentMs)} ms`, { code: SourceErrorCode.STALLED, stderrTail: run.tail() });
          settle({ kind: 'stalled', silentMs: Math.round(silentMs) });
        }
      }, period);
      const onAbort = (): void => settle({ kind: 'closed' });
      this.signal.addEventListener('abort', onAbort, { once: true });
      void run.exited.then((info) => settle({ kind: 'exit', code: info.code, signal: info.signal, ...(info.spawnError ? { spawnError: info.spawnError } : {}) }));
    });
  }

  private finish(): void {
    const err = this.lastError ?? new ClosedError(`FrameSource(${this.cameraId})`);
    for (const w of this.waiters.splice(0)) w.reject(this.st === 'failed' ? err : new ClosedError(`FrameSource(${this.cameraId})`));
    this.slot = undefined;
    this.subject.complete();
  }

  protected async onClose(): Promise<void> {
    await this.run?.stop(this.opts.killGraceMs);
    await this.loop;
    if (this.st !== 'failed') this.transition('stopped', 'closed', { stderrTail: this.run?.tail() ?? [] });
    this.finish();
  }
}

function even(n: number): number {
  return n % 2 ? n - 1 : n;
}

