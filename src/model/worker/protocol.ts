/**
 * Messages between {@link WorkerAdapter} (main thread) and the inference worker, and the helpers that
 * move typed errors and typed arrays across the thread boundary.
 *
 * Images go in as one copy each (a view over a larger buffer is sliced, then transferred); results
 * come back with their ids, depth and segment embeddings transferred (zero copy) whenever a typed
 * array owns its whole buffer, copied otherwise. Errors are plain data on the wire and re-created on
 * the other side as the same class (ConfigError keeps `field`/`value`, PanopticError `code`/`fatal`/
 * `context`/`details`), with the same message.
 */
import { ClosedError, ConfigError, PanopticError, TimeoutError, type ErrorContext } from '../../core/errors.js';
import type { LogLevel } from '../../core/logger.js';
import type { Category, PanopticFrame, RgbImage } from '../../core/types.js';
import type { LoadModelOptions } from '../loader.js';

/** Options of `loadModel` that travel to the worker (all structured-cloneable). */
export type WorkerLoadOptions = Omit<LoadModelOptions, 'worker'>;

/** `workerData` of the inference worker. */
export interface WorkerInit {
  readonly nameOrDir: string;
  readonly opts: WorkerLoadOptions;
  readonly logLevel: LogLevel;
  /** Module URL of the worker entry (used by the TypeScript bootstrap only). */
  readonly entry?: string;
}

/** What the main thread learns once, after the model loaded. */
export interface AdapterInfo {
  readonly family: string;
  readonly categories: readonly Category[];
  readonly maxBatch: number;
  readonly executionProviders: Record<string, string>;
}

/** An error as plain data. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly code?: string;
  readonly fatal?: boolean;
  readonly context?: ErrorContext;
  readonly details?: Record<string, unknown>;
  readonly field?: string;
  readonly value?: unknown;
  readonly cause?: WireError;
}

export type ToWorker = { type: 'process'; id: number; images: RgbImage[] } | { type: 'abort'; id: number } | { type: 'close' };

export type FromWorker =
  | { type: 'ready'; info: AdapterInfo }
  | { type: 'load-error'; error: WireError }
  | { type: 'result'; id: number; frames: PanopticFrame[] }
  | { type: 'error'; id: number; error: WireError }
  | { type: 'closed' };

const cloneable = (v: unknown): boolean => {
  try {
    structuredClone(v);
    return true;
  } catch {
    return false;
  }
};

/** An error (any thrown value) as plain data; `cause` chains are kept up to `depth` levels. */
export function toWireError(err: unknown, depth = 3): WireError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const base: WireError = {
    name: err.name,
    message: err.message,
    ...(err.stack ? { stack: err.stack } : {}),
    ...(err.cause !== undefined && depth > 0 ? { cause: toWireError(err.cause, depth - 1) } : {}),
  };
  if (!(err instanceof PanopticError)) return base;
  const details = cloneable(err.details) ? err.details : {};
  const out: WireError = { ...base, code: err.code, fatal: err.fatal, context: err.context, details };
  if (err instanceof ConfigError) return { ...out, field: err.field, value: cloneable(err.value) ? err.value : String(err.value) };
  return out;
}

/** Re-creates an error sent by {@link toWireError}: same class, message, code, field and context. */
export function fromWireError(w: WireError, via = 'model worker'): Error {
  const cause = w.cause ? fromWireError(w.cause, via) : undefined;
  let err: Error;
  if (w.code === undefined) err = new Error(w.message, cause ? { cause } : undefined);
  else if (w.name === 'ConfigError' || w.code === 'ERR_CONFIG') err = new ConfigError(w.field ?? '', w.value, '');
  else if (w.name === 'ClosedError') err = new ClosedError(via);
  else if (w.name === 'TimeoutError') err = new TimeoutError(via, 0);
  else err = new PanopticError(w.message, { code: w.code, fatal: w.fatal ?? false, details: w.details ?? {}, ...(cause ? { cause } : {}) });
  if (err instanceof PanopticError) {
    // The message already carries the bracketed context: restore fields exactly as sent.
    Object.assign(err, { fatal: w.fatal ?? err.fatal, context: w.context ?? {}, details: w.details ?? {} });
    if (cause && err.cause === undefined) Object.defineProperty(err, 'cause', { value: cause, writable: true, configurable: true });
  }
  err.message = w.message;
  err.name = w.name;
  err.stack = `${w.name}: ${w.message}\n    (in ${via})${w.stack ? w.stack.slice(w.stack.indexOf('\n')) : ''}`;
  return err;
}

/** Pushes `view.buffer` onto `list` when the view owns its whole (non-shared) buffer; true when it did. */
function addTransfer(view: ArrayBufferView, list: ArrayBuffer[], seen: Set<ArrayBufferLike>): boolean {
  const buf = view.buffer;
  if (!(buf instanceof ArrayBuffer) || view.byteOffset !== 0 || view.byteLength !== buf.byteLength) return false;
  if (!seen.has(buf)) {
    seen.add(buf);
    list.push(buf);
  }
  return true;
}

/**
 * Images for the worker: one copy of each pixel buffer (sliced when it is a view over a larger
 * buffer, so the structured clone never copies a whole pooled chunk). The caller's frames stay
 * intact: the renderer still needs them after inference.
 */
export function imagesForWorker(images: readonly RgbImage[]): { images: RgbImage[]; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const seen = new Set<ArrayBufferLike>();
  const copy = (d: Uint8Array): Uint8Array => {
    const c = d.slice();
    addTransfer(c, transfer, seen);
    return c;
  };
  const out = images.map((img) => {
    const scaled = (img as { scaled?: RgbImage }).scaled;
    const data = copy(img.data);
    return {
      width: img.width,
      height: img.height,
      data,
      ...(scaled ? { scaled: { width: scaled.width, height: scaled.height, data: scaled.data === img.data ? data : copy(scaled.data) } } : {}),
    };
  });
  return { images: out, transfer };
}

/** The buffers of `frames` that can be transferred back (ids, depth, segment embeddings). */
export function resultTransferList(frames: readonly PanopticFrame[]): ArrayBuffer[] {
  const list: ArrayBuffer[] = [];
  const seen = new Set<ArrayBufferLike>();
  for (const f of frames) {
    addTransfer(f.ids, list, seen);
    if (f.depth) addTransfer(f.depth, list, seen);
    for (const s of f.segments) addTransfer(s.embedding, list, seen);
  }
  return list;
}

/** Frames without fields that cannot or need not cross (the source `frame` is re-attached by the scheduler). */
export function framesForWire(frames: readonly PanopticFrame[]): PanopticFrame[] {
  return frames.map((f) => {
    if (f.frame === undefined) return f;
    const { frame: _frame, ...rest } = f;
    return rest;
  });
}
