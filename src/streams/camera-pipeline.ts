/**
 * One camera's pipeline: source frames → shared inference (batch scheduler) → this camera's tracker →
 * a hot stream of {@link ProcessedFrame}s for every transport. Newest-wins at every hop: at most
 * `maxInFlight` frames of this camera are inside the scheduler, one more waits here, older ones are
 * dropped and counted. Errors of this camera stay in this camera (state `failed`, others unaffected).
 */
import { BehaviorSubject, Subject, type Observable, type Subscription } from 'rxjs';
import { createLogger } from '../core/logger.js';
import { errorMessage } from '../core/errors.js';
import type { Frame, PanopticFrame, RgbImage, TrackedFrame } from '../core/types.js';

const log = createLogger('streams:camera');

export type CameraState = 'connecting' | 'streaming' | 'stalled' | 'reconnecting' | 'failed' | 'stopped';

export interface CameraStateEvent {
  readonly state: CameraState;
  readonly reason?: string;
}

/** The narrow view of a frame source the pipeline needs (ingest's FrameSource is adapted to it). */
export interface CameraSource {
  readonly frames$: Observable<Frame>;
  readonly state$: Observable<CameraStateEvent>;
  /** Counters of the source itself: frames read, frames it dropped under back-pressure, restarts. */
  stats(): { framesIn: number; dropped: number; reconnects: number };
  close(): Promise<void>;
}

export type RenderMode = 'overlay' | 'raw' | 'depth' | 'side-by-side';

/** Same shape as the batch scheduler's outcome: `reason: 'error'` counts as an error, others as drops. */
export type InferOutcome = { readonly status: 'done'; readonly result: PanopticFrame } | { readonly status: 'dropped'; readonly reason?: string; readonly error?: Error };

export interface I420Image {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array | Uint8ClampedArray;
}

/** Metadata of a processed frame handed to the serialiser. */
export interface FrameMeta {
  readonly cameraId: string;
  readonly seq: number;
  readonly ptsMs: number;
  readonly capturedAtMs: number;
  readonly processedAtMs: number;
  readonly latencyMs: number;
}

/** The stages, injected by the composition root (real model scheduler, tracker, renderer, encoders). */
export interface PipelineStages {
  /** Submits a frame to the shared batch scheduler. */
  infer(frame: Frame): Promise<InferOutcome>;
  /** A fresh tracker for one camera. */
  createTracker(cameraId: string): { update(p: PanopticFrame): TrackedFrame };
  /** Annotated image of a frame in a render mode (default mode when undefined). */
  render(frame: Frame, tracked: TrackedFrame, mode?: RenderMode): RgbImage;
  /** Segment JSON message of a frame. */
  serialize(tracked: TrackedFrame, meta: FrameMeta, opts: { masks: boolean }): unknown;
  toI420(img: RgbImage): I420Image;
  encodeJpeg(img: RgbImage): Promise<Buffer>;
}

/**
 * One processed frame. Rendering and encodings are computed lazily, once, on first use — so a
 * camera nobody watches costs no rendering, and ten viewers cost one JPEG encode.
 */
export class ProcessedFrame {
  private readonly images = new Map<RenderMode | undefined, RgbImage>();
  private readonly jpegs = new Map<RenderMode | undefined, Promise<Buffer>>();
  private readonly i420s = new Map<RenderMode | undefined, I420Image>();
  private readonly messages = new Map<boolean, string>();

  constructor(
    readonly frame: Frame,
    readonly tracked: TrackedFrame,
    readonly meta: FrameMeta,
    private readonly stages: PipelineStages,
  ) {}

  get cameraId(): string {
    return this.meta.cameraId;
  }
  /** The annotated image in `mode` (undefined = the configured default). */
  annotated(mode?: RenderMode): RgbImage {
    let img = this.images.get(mode);
    if (!img) this.images.set(mode, (img = this.stages.render(this.frame, this.tracked, mode)));
    return img;
  }
  jpeg(mode?: RenderMode): Promise<Buffer> {
    let p = this.jpegs.get(mode);
    if (!p) {
      p = Promise.resolve().then(() => this.stages.encodeJpeg(this.annotated(mode)));
      this.jpegs.set(mode, p);
    }
    return p;
  }
  /** The annotated image in `mode` as I420 (undefined = the configured default), converted once per mode. */
  i420(mode?: RenderMode): I420Image {
    let img = this.i420s.get(mode);
    if (!img) this.i420s.set(mode, (img = this.stages.toI420(this.annotated(mode))));
    return img;
  }
  /** The segment message as JSON text (cached per `masks` choice). */
  messageJson(masks: boolean): string {
    let m = this.messages.get(masks);
    if (m === undefined) this.messages.set(masks, (m = JSON.stringify(this.stages.serialize(this.tracked, this.meta, { masks }))));
    return m;
  }
}

/** Events per second over a sliding window. */
export class RateMeter {
  private readonly times: number[] = [];
  total = 0;
  /** @param windowMs window length in ms (default 5000). */
  constructor(private readonly windowMs = 5000) {}
  mark(n = 1, now = Date.now()): void {
    this.total += n;
    for (let i = 0; i < n; i++) this.times.push(now);
    this.trim(now);
  }
  rate(now = Date.now()): number {
    this.trim(now);
    if (this.times.length === 0) return 0;
    const span = Math.max(1000, Math.min(this.windowMs, now - this.times[0]!));
    return (this.times.length * 1000) / span;
  }
  private trim(now: number): void {
    let i = 0;
    while (i < this.times.length && this.times[i]! < now - this.windowMs) i++;
    if (i) this.times.splice(0, i);
  }
}

export interface CameraStats {
  state: CameraState;
  reason?: string;
  fpsIn: number;
  fpsProcessed: number;
  fpsDropped: number;
  framesIn: number;
  processed: number;
  dropped: number;
  reconnects: number;
  errors: number;
  /** Message of the last inference/tracking error of this camera. */
  lastError?: string;
  lastLatencyMs?: number;
}

export interface CameraPipelineOptions {
  /** Frames of this camera allowed inside the scheduler at once (default 2: one running, one queued). */
  maxInFlight?: number;
  /** Called for every processed frame before fan-out (metrics). */
  onProcessed?: (p: ProcessedFrame) => void;
}

export class CameraPipeline {
  readonly state$: BehaviorSubject<CameraStateEvent>;
  private readonly out = new Subject<ProcessedFrame>();
  /** Hot stream of processed frames; completes when the camera is removed. */
  readonly output$: Observable<ProcessedFrame> = this.out.asObservable();
  latest?: ProcessedFrame;

  private readonly inMeter = new RateMeter();
  private readonly processedMeter = new RateMeter();
  private readonly droppedMeter = new RateMeter();
  private localDropped = 0;
  private errors = 0;
  private lastError?: string;
  private inFlight = 0;
  private pending?: Frame;
  private lastSeq = -1;
  private lastSourceDropped = 0;
  private lastLatencyMs?: number;
  private readonly tracker: { update(p: PanopticFrame): TrackedFrame };
  private readonly subs: Subscription[] = [];
  private closing?: Promise<void>;

  constructor(
    readonly id: string,
    readonly source: CameraSource,
    private readonly stages: PipelineStages,
    private readonly opts: CameraPipelineOptions = {},
  ) {
    this.state$ = new BehaviorSubject<CameraStateEvent>({ state: 'connecting' });
    this.tracker = stages.createTracker(id);
    this.subs.push(
      source.state$.subscribe({ next: (e) => this.state$.next(e), error: (err) => this.fail(err) }),
      source.frames$.subscribe({ next: (f) => this.onFrame(f), error: (err) => this.fail(err) }),
    );
  }

  get state(): CameraStateEvent {
    return this.state$.value;
  }

  private onFrame(frame: Frame): void {
    if (this.closing) return;
    this.inMeter.mark();
    this.syncSourceDrops();
    if (this.inFlight >= (this.opts.maxInFlight ?? 2)) {
      if (this.pending) this.drop();
      this.pending = frame;
      return;
    }
    this.submit(frame);
  }

  private syncSourceDrops(): void {
    const d = this.source.stats().dropped;
    if (d > this.lastSourceDropped) this.droppedMeter.mark(d - this.lastSourceDropped);
    this.lastSourceDropped = Math.max(d, this.lastSourceDropped);
  }

  private drop(): void {
    this.localDropped++;
    this.droppedMeter.mark();
  }

  private submit(frame: Frame): void {
    this.inFlight++;
    this.stages
      .infer(frame)
      .then((outcome) => {
        if (outcome.status === 'done') this.onResult(frame, outcome.result);
        else if (outcome.reason === 'error') {
          this.errors++;
          this.lastError = errorMessage(outcome.error ?? 'inference failed');
        } else this.drop();
      })
      .catch((err: unknown) => {
        this.errors++;
        this.lastError = errorMessage(err);
        log.warn('inference failed', { camera: this.id, seq: frame.seq, error: this.lastError });
      })
      .finally(() => {
        this.inFlight--;
        const next = this.pending;
        this.pending = undefined;
        if (next && !this.closing) this.submit(next);
      });
  }

  private onResult(frame: Frame, result: PanopticFrame): void {
    if (this.closing) return;
    // A source restart resets seq to 0; otherwise results must move forward (late ones are dropped).
    if (frame.seq <= this.lastSeq && frame.seq !== 0) {
      this.drop();
      return;
    }
    this.lastSeq = frame.seq;
    try {
      const tracked = this.tracker.update(result);
      const now = Date.now();
      const meta: FrameMeta = {
        cameraId: this.id,
        seq: frame.seq,
        ptsMs: frame.ptsMs,
        capturedAtMs: frame.capturedAtMs,
        processedAtMs: now,
        latencyMs: now - frame.capturedAtMs,
      };
      const p = new ProcessedFrame(frame, tracked, meta, this.stages);
      this.lastLatencyMs = meta.latencyMs;
      this.processedMeter.mark();
      this.latest = p;
      this.opts.onProcessed?.(p);
      this.out.next(p);
    } catch (err) {
      this.errors++;
      this.lastError = errorMessage(err);
      log.warn('tracking/fan-out failed', { camera: this.id, seq: frame.seq, error: errorMessage(err) });
    }
  }

  private fail(err: unknown): void {
    this.errors++;
    this.state$.next({ state: 'failed', reason: errorMessage(err) });
  }

  stats(): CameraStats {
    this.syncSourceDrops();
    const s = this.source.stats();
    const st = this.state$.value;
    return {
      state: st.state,
      ...(st.reason ? { reason: st.reason } : {}),
      fpsIn: round2(this.inMeter.rate()),
      fpsProcessed: round2(this.processedMeter.rate()),
      fpsDropped: round2(this.droppedMeter.rate()),
      framesIn: Math.max(this.inMeter.total, s.framesIn),
      processed: this.processedMeter.total,
      dropped: this.localDropped + s.dropped,
      reconnects: s.reconnects,
      errors: this.errors,
      ...(this.lastError ? { lastError: this.lastError } : {}),
      ...(this.lastLatencyMs !== undefined ? { lastLatencyMs: this.lastLatencyMs } : {}),
    };
  }

  /** Stops the source (awaits its FFmpeg exit), completes the output stream. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.pending = undefined;
      try {
        await this.source.close();
      } finally {
        for (const s of this.subs) s.unsubscribe();
        this.state$.next({ state: 'stopped', reason: 'camera removed' });
        this.state$.complete();
        this.out.complete();
      }
    })();
    return this.closing;
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
