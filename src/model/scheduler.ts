/**
 * Batch scheduler across cameras. Each camera has at most one waiting frame (a newer frame replaces
 * it; the older resolves `dropped: superseded` and is counted). A batch is flushed when `maxBatch`
 * cameras wait or the longest-waiting camera has waited `maxWaitMs`; a camera that never sends
 * again therefore never holds a batch. Batches take the longest-waiting cameras first — a camera's
 * wait starts with its first unserved frame and survives replacements, so a fast camera is not
 * starved by slow ones. One batch is in flight at a time (per adapter); fixed-batch-1 models
 * (adapter.maxBatch = 1) run frames one by one through the same path. Every result carries
 * queueMs/preprocessMs/runMs/decodeMs/totalMs in `timings`.
 */
import { ConfigError, PanopticError, errorMessage } from '../core/errors.js';
import { Closeable } from '../core/lifecycle.js';
import { createLogger } from '../core/logger.js';
import type { Frame, PanopticFrame } from '../core/types.js';
import type { FamilyAdapter } from './types.js';

const log = createLogger('model:scheduler');

export type DropReason = 'superseded' | 'closed' | 'aborted' | 'error';

export type InferOutcome =
  | { readonly status: 'done'; readonly result: PanopticFrame }
  | { readonly status: 'dropped'; readonly reason: DropReason; readonly error?: Error };

export interface BatchSchedulerOptions {
  /** Largest batch; capped by the adapter's maxBatch (1 for fixed-batch-1 models). Default adapter.maxBatch. */
  maxBatch?: number;
  /** Longest time a waiting frame holds back a partial batch, in ms. Default 10. */
  maxWaitMs?: number;
  /** Close the adapter when the scheduler closes. Default false. */
  closeAdapter?: boolean;
}

export interface CameraStats {
  submitted: number;
  done: number;
  dropped: Record<DropReason, number>;
}

export interface SchedulerStats {
  batches: number;
  frames: number;
  /** batchSizes[k] = number of batches of size k. */
  batchSizes: number[];
  pending: number;
  inFlight: number;
  errors: number;
  cameras: Record<string, CameraStats>;
}

interface Waiting {
  readonly frame: Frame;
  readonly submittedAt: number;
  readonly resolve: (o: InferOutcome) => void;
  readonly signal?: AbortSignal;
  readonly onAbort?: () => void;
}

interface Slot {
  waiting: Waiting;
  /** When this camera started waiting (its oldest unserved frame). */
  since: number;
}

export class BatchScheduler extends Closeable {
  readonly maxBatch: number;
  readonly maxWaitMs: number;
  private readonly slots = new Map<string, Slot>();
  private inFlight: Waiting[] = [];
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly counters = { batches: 0, frames: 0, errors: 0, batchSizes: [] as number[] };
  private readonly cams = new Map<string, CameraStats>();

  constructor(
    readonly adapter: FamilyAdapter,
    private readonly opts: BatchSchedulerOptions = {},
  ) {
    super();
    const cap = Math.max(1, adapter.maxBatch);
    this.maxBatch = Math.max(1, Math.min(cap, opts.maxBatch ?? cap));
    this.maxWaitMs = Math.max(0, opts.maxWaitMs ?? 10);
    this.counters.batchSizes = new Array<number>(this.maxBatch + 1).fill(0);
  }

  /** Queues `frame`; resolves when it was processed or dropped. Never rejects. */
  submit(frame: Frame, signal?: AbortSignal): Promise<InferOutcome> {
    const cam = this.cam(frame.cameraId);
    cam.submitted++;
    if (this.closed) return Promise.resolve(this.drop(frame.cameraId, 'closed'));
    if (signal?.aborted) return Promise.resolve(this.drop(frame.cameraId, 'aborted'));
    // A malformed frame is refused here, alone, instead of failing the batch of every camera.
    const bad = checkFrame(frame);
    if (bad) {
      log.warn('frame refused', { camera: frame.cameraId, seq: frame.seq, reason: bad.message });
      return Promise.resolve(this.drop(frame.cameraId, 'error', bad));
    }
    return new Promise<InferOutcome>((resolve) => {
      const now = performance.now();
      const prev = this.slots.get(frame.cameraId);
      const onAbort = signal ? (): void => this.abortWaiting(frame) : undefined;
      const waiting: Waiting = { frame, submittedAt: now, resolve, ...(signal ? { signal, onAbort } : {}) };
      if (onAbort) signal!.addEventListener('abort', onAbort, { once: true });
      this.slots.set(frame.cameraId, { waiting, since: prev?.since ?? now });
      if (prev) this.settle(prev.waiting, this.drop(frame.cameraId, 'superseded'));
      this.schedule();
    });
  }

  stats(): SchedulerStats {
    const cameras: Record<string, CameraStats> = {};
    for (const [id, c] of this.cams) cameras[id] = { submitted: c.submitted, done: c.done, dropped: { ...c.dropped } };
    return { ...this.counters, batchSizes: [...this.counters.batchSizes], pending: this.slots.size, inFlight: this.inFlight.length, cameras };
  }

  private cam(id: string): CameraStats {
    let c = this.cams.get(id);
    if (!c) {
      c = { submitted: 0, done: 0, dropped: { superseded: 0, closed: 0, aborted: 0, error: 0 } };
      this.cams.set(id, c);
    }
    return c;
  }

  private drop(cameraId: string, reason: DropReason, error?: Error): InferOutcome {
    this.cam(cameraId).dropped[reason]++;
    return { status: 'dropped', reason, ...(error ? { error } : {}) };
  }

  private settle(w: Waiting, outcome: InferOutcome): void {
    if (w.onAbort) w.signal!.removeEventListener('abort', w.onAbort);
    w.resolve(outcome);
  }

  private abortWaiting(frame: Frame): void {
    const slot = this.slots.get(frame.cameraId);
    if (slot?.waiting.frame !== frame) return; // already in a batch or replaced
    this.slots.delete(frame.cameraId);
    this.settle(slot.waiting, this.drop(frame.cameraId, 'aborted'));
  }

  /** Flushes now if a batch is due, else arms the timer for the longest-waiting camera. */
  private schedule(): void {
    if (this.closed || this.running || this.slots.size === 0) return;
    const now = performance.now();
    let oldest = Infinity;
    for (const s of this.slots.values()) if (s.since < oldest) oldest = s.since;
    const dueIn = oldest + this.maxWaitMs - now;
    if (this.slots.size >= this.maxBatch || dueIn <= 0) {
      this.flush();
      return;
    }
    if (!this.timer)
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.schedule();
      }, Math.ceil(dueIn));
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const picked = [...this.slots.entries()].sort((a, b) => a[1].since - b[1].since).slice(0, this.maxBatch);
    for (const [id] of picked) this.slots.delete(id);
    const batch = picked.map(([, s]) => s.waiting);
    for (const w of batch) if (w.onAbort) w.signal!.removeEventListener('abort', w.onAbort);
    this.inFlight = batch;
    this.running = this.runBatch(batch).finally(() => {
      this.inFlight = [];
      this.running = undefined;
      this.schedule();
    });
  }

  private async runBatch(batch: Waiting[]): Promise<void> {
    const start = performance.now();
    this.counters.batches++;
    this.counters.frames += batch.length;
    this.counters.batchSizes[batch.length] = (this.counters.batchSizes[batch.length] ?? 0) + 1;
    let results: PanopticFrame[];
    try {
      results = await this.adapter.process(batch.map((w) => w.frame), this.signal);
      if (results.length !== batch.length) throw new PanopticError(`adapter returned ${results.length} results for ${batch.length} frames`, { code: 'ERR_MODEL_RUN' });
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      if (this.closed) {
        for (const w of batch) w.resolve(this.drop(w.frame.cameraId, 'closed'));
        return;
      }
      this.counters.errors++;
      log.warn('batch failed; its frames are dropped', { size: batch.length, cameras: batch.map((w) => w.frame.cameraId).join(','), reason: errorMessage(error) });
      for (const w of batch) w.resolve(this.drop(w.frame.cameraId, 'error', error));
      return;
    }
    const end = performance.now();
    batch.forEach((w, i) => {
      if (this.closed) {
        w.resolve(this.drop(w.frame.cameraId, 'closed'));
        return;
      }
      const r = results[i]!;
      this.cam(w.frame.cameraId).done++;
      w.resolve({ status: 'done', result: { ...r, frame: w.frame, timings: { ...r.timings, queueMs: start - w.submittedAt, totalMs: end - w.submittedAt } } });
    });
  }

  protected async onClose(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const [id, s] of this.slots) {
      this.slots.delete(id);
      this.settle(s.waiting, this.drop(id, 'closed'));
    }
    // In-flight frames resolve `closed` when their batch returns; wait for it so the adapter is idle.
    await this.running;
    if (this.opts.closeAdapter) await this.adapter.close();
  }
}

/** Size/buffer consistency of an RGB24 frame (and of its scaled copy); undefined when fine. */
function checkFrame(f: Frame): ConfigError | undefined {
  const ctx = { camera: f.cameraId, seq: f.seq };
  if (!(Number.isInteger(f.width) && f.width > 0 && Number.isInteger(f.height) && f.height > 0))
    return new ConfigError('frame.size', `${f.width}x${f.height}`, 'expected positive integer width and height', ctx);
  if (!(f.data instanceof Uint8Array) || f.data.length < f.width * f.height * 3)
    return new ConfigError('frame.data', f.data?.length, `expected ${f.width * f.height * 3} bytes of RGB24 for ${f.width}x${f.height}`, ctx);
  const s = f.scaled;
  if (s && (!(s.width > 0 && s.height > 0) || !(s.data instanceof Uint8Array) || s.data.length < s.width * s.height * 3))
    return new ConfigError('frame.scaled.data', s.data?.length, `expected ${s.width * s.height * 3} bytes of RGB24 for ${s.width}x${s.height}`, ctx);
  return undefined;
}
