/**
 * A {@link FamilyAdapter} whose work runs in a `worker_threads` Worker: the worker calls `loadModel`
 * with the same options and runs `adapter.process`, so preprocessing, the ONNX runs and the whole
 * decode (mask composition, fusion, buildSegments, resizing to the frame) leave the main thread's
 * event loop. Image pixels cross once (copied, the caller's frames stay intact); ids, depth and
 * embeddings come back transferred. Errors keep their class, code and field.
 *
 * Lifecycle: `close()` is idempotent; it rejects pending work with {@link ClosedError}, lets the
 * worker close its sessions (at most `closeTimeoutMs`) and terminates it. A worker that exits on its
 * own (crash, out of memory) rejects pending and later work with a fatal `ERR_MODEL_WORKER`
 * {@link PanopticError}, logs it and emits `died`.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { ClosedError, PanopticError, errorMessage } from '../../core/errors.js';
import { TypedEmitter } from '../../core/events.js';
import { createLogger, getLogLevel } from '../../core/logger.js';
import type { Category, PanopticFrame, RgbImage } from '../../core/types.js';
import type { FamilyAdapter } from '../types.js';
import { fromWireError, imagesForWorker, type AdapterInfo, type FromWorker, type ToWorker, type WorkerInit, type WorkerLoadOptions } from './protocol.js';

const log = createLogger('model:worker');

export interface WorkerAdapterOptions extends WorkerLoadOptions {
  /** Longest `close()` waits for the worker to close its model sessions before terminating it, in ms. Default 5000. */
  closeTimeoutMs?: number;
  /** V8 heap limits of the worker thread (Node's `resourceLimits`). Default: Node's defaults. */
  resourceLimits?: ResourceLimits;
}

export interface WorkerAdapterEvents extends Record<string, unknown> {
  /** The worker exited without `close()` (crash, out of memory); every later `process` rejects with this error. */
  died: PanopticError;
}

interface Job {
  resolve(frames: PanopticFrame[]): void;
  reject(err: unknown): void;
  done(): void;
}

/**
 * The worker's entry next to this module: `inference-worker.js` in the compiled package; from the
 * TypeScript sources (tests, tsx) a small .mjs bootstrap that registers tsx, then imports the .ts.
 */
function workerEntry(): { file: URL; entry?: string } {
  const here = new URL(import.meta.url);
  if (here.pathname.endsWith('.ts')) return { file: new URL('./inference-worker-bootstrap.mjs', here), entry: new URL('./inference-worker.ts', here).href };
  return { file: new URL('./inference-worker.js', here) };
}

export class WorkerAdapter extends TypedEmitter<WorkerAdapterEvents> implements FamilyAdapter {
  readonly family: string;
  readonly categories: readonly Category[];
  readonly maxBatch: number;
  readonly executionProviders: Record<string, string>;
  private readonly pending = new Map<number, Job>();
  private nextId = 0;
  private closing?: Promise<void>;
  private deathError?: PanopticError;
  private lastError?: Error;
  private readonly exited: Promise<number>;
  private hasExited = false;

  private constructor(
    /** The worker thread (diagnostics; use `close()` to stop it). */
    readonly worker: Worker,
    info: AdapterInfo,
    private readonly model: string,
    private readonly closeTimeoutMs: number,
  ) {
    super();
    this.family = info.family;
    this.categories = info.categories;
    this.maxBatch = info.maxBatch;
    this.executionProviders = info.executionProviders;
    worker.on('message', (m: FromWorker) => this.onMessage(m));
    worker.on('error', (err) => (this.lastError = err));
    worker.on('messageerror', (err) => log.warn('message from the model worker could not be read', { model, error: errorMessage(err) }));
    this.exited = new Promise((resolve) =>
      worker.once('exit', (code) => {
        this.hasExited = true;
        if (!this.closing) this.die(code);
        resolve(code);
      }),
    );
    worker.unref(); // an idle model never keeps the process alive; pending work refs it
  }

  /** Starts a worker, loads the model there and resolves once it is ready (rejects with the load error). */
  static start(nameOrDir: string, opts: WorkerAdapterOptions = {}): Promise<WorkerAdapter> {
    const { closeTimeoutMs = 5000, resourceLimits, ...load } = opts;
    const { file, entry } = workerEntry();
    const init: WorkerInit = { nameOrDir, opts: load, logLevel: getLogLevel(), ...(entry ? { entry } : {}) };
    const worker = new Worker(file, { workerData: init, ...(resourceLimits ? { resourceLimits } : {}) });
    return new Promise((resolve, reject) => {
      let lastError: Error | undefined;
      const cleanup = (): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const onMessage = (m: FromWorker): void => {
        if (m.type === 'ready') {
          cleanup();
          resolve(new WorkerAdapter(worker, m.info, nameOrDir, closeTimeoutMs));
        } else if (m.type === 'load-error') {
          cleanup();
          const err = fromWireError(m.error);
          void worker.terminate().then(() => reject(err), () => reject(err));
        }
      };
      const onError = (err: Error): void => {
        lastError = err;
      };
      const onExit = (code: number): void => {
        cleanup();
        reject(
          new PanopticError(`model worker exited with code ${code} while loading${lastError ? `: ${lastError.message}` : ''}`, {
            code: 'ERR_MODEL_WORKER',
            fatal: true,
            context: { model: nameOrDir },
            ...(lastError ? { cause: lastError } : {}),
          }),
        );
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
  }

  /** The worker's death, once it exited without `close()`. */
  get died(): PanopticError | undefined {
    return this.deathError;
  }

  process(images: readonly RgbImage[], signal?: AbortSignal): Promise<PanopticFrame[]> {
    if (this.closing) return Promise.reject(new ClosedError('model worker', { model: this.model }));
    if (this.deathError) return Promise.reject(this.deathError);
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    const id = ++this.nextId;
    const { images: wire, transfer } = imagesForWorker(images);
    return new Promise<PanopticFrame[]>((resolve, reject) => {
      const onAbort = (): void => {
        if (!this.pending.has(id)) return;
        job.done();
        reject(signal!.reason as Error);
        this.post({ type: 'abort', id });
      };
      const job: Job = {
        resolve,
        reject,
        done: () => {
          this.pending.delete(id);
          signal?.removeEventListener('abort', onAbort);
          if (this.pending.size === 0) this.worker.unref();
        },
      };
      this.pending.set(id, job);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.worker.ref();
      this.post({ type: 'process', id, images: wire }, transfer);
    });
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const err = new ClosedError('model worker', { model: this.model });
    for (const job of [...this.pending.values()]) {
      job.done();
      job.reject(err);
    }
    if (this.hasExited) return;
    this.worker.ref();
    // Let the worker release its ONNX sessions, then end the thread either way.
    const closed = new Promise<void>((resolve) => {
      const onMsg = (m: FromWorker): void => {
        if (m.type === 'closed') resolve();
      };
      this.worker.on('message', onMsg);
      void this.exited.then(() => resolve());
    });
    this.post({ type: 'close' });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, this.closeTimeoutMs)))]);
    clearTimeout(timer);
    await this.worker.terminate();
    await this.exited;
  }

  private post(m: ToWorker, transfer: ArrayBuffer[] = []): void {
    if (this.hasExited) return;
    this.worker.postMessage(m, transfer);
  }

  private onMessage(m: FromWorker): void {
    if (m.type !== 'result' && m.type !== 'error') return;
    const job = this.pending.get(m.id);
    if (!job) return; // aborted or closed meanwhile
    job.done();
    if (m.type === 'result') job.resolve(m.frames);
    else job.reject(fromWireError(m.error));
  }

  private die(code: number): void {
    const cause = this.lastError;
    const err = new PanopticError(`model worker exited unexpectedly with code ${code}${cause ? `: ${cause.message}` : ''}`, {
      code: 'ERR_MODEL_WORKER',
      fatal: true,
      context: { model: this.model },
      ...(cause ? { cause } : {}),
    });
    this.deathError = err;
    log.error('model worker died', { model: this.model, code, error: cause ? errorMessage(cause) : undefined, pending: this.pending.size });
    for (const job of [...this.pending.values()]) {
      job.done();
      job.reject(err);
    }
    this.emit('died', err);
  }
}

/** Loads `nameOrDir` in a worker thread; see {@link WorkerAdapter}. */
export function loadWorkerModel(nameOrDir: string, opts: WorkerAdapterOptions = {}): Promise<WorkerAdapter> {
  return WorkerAdapter.start(nameOrDir, opts);
}
