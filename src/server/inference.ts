/**
 * The shared inference path of the server: frames of every camera → one {@link BatchScheduler} → the
 * model. The model loads in the background; until then each camera's newest frame waits here
 * (newest-wins, older ones dropped). After `close()` frames are dropped.
 */
import type { Frame } from '../core/types.js';
import { BatchScheduler, type InferOutcome } from '../model/scheduler.js';
import type { FamilyAdapter } from '../model/types.js';

export interface Inference {
  submit(frame: Frame): Promise<InferOutcome>;
  /** Called for every batch the scheduler ran (metrics), with its size. */
  onBatch?: (size: number) => void;
  /** The scheduler once the model is loaded. */
  readonly scheduler: BatchScheduler | undefined;
  close(): Promise<void>;
}

export interface InferenceOptions {
  /** Largest batch (default: the model's maximum). */
  maxBatch?: number;
  /** Longest a frame holds back a partial batch, in ms (default 10). */
  maxWaitMs?: number;
}

export function createInference(model: Promise<FamilyAdapter>, opts: InferenceOptions): Inference {
  let scheduler: BatchScheduler | undefined;
  let closed = false;
  const early = new Map<string, { frame: Frame; resolve(o: InferOutcome): void }>();
  let seenSizes: number[] = [];
  let modelError: Error | undefined;

  const syncBatches = (): void => {
    if (!scheduler || !inf.onBatch) return;
    const sizes = scheduler.stats().batchSizes;
    for (let k = 1; k < sizes.length; k++) for (let n = seenSizes[k] ?? 0; n < sizes[k]!; n++) inf.onBatch(k);
    seenSizes = sizes;
  };
  const viaScheduler = async (frame: Frame): Promise<InferOutcome> => {
    const out = await scheduler!.submit(frame);
    syncBatches();
    return out;
  };

  model.then(
    (adapter) => {
      if (closed) return;
      scheduler = new BatchScheduler(adapter, { ...(opts.maxBatch ? { maxBatch: opts.maxBatch } : {}), ...(opts.maxWaitMs !== undefined ? { maxWaitMs: opts.maxWaitMs } : {}) });
      for (const w of early.values()) void viaScheduler(w.frame).then((o) => w.resolve(o));
      early.clear();
    },
    (err: unknown) => {
      const error = (modelError = err instanceof Error ? err : new Error(String(err)));
      for (const w of early.values()) w.resolve({ status: 'dropped', reason: 'error', error });
      early.clear();
    },
  );

  const inf: Inference = {
    get scheduler() {
      return scheduler;
    },
    submit(frame) {
      if (closed) return Promise.resolve({ status: 'dropped', reason: 'closed' });
      if (scheduler) return viaScheduler(frame);
      if (modelError) return Promise.resolve({ status: 'dropped', reason: 'error', error: modelError });
      return new Promise<InferOutcome>((resolve) => {
        const old = early.get(frame.cameraId);
        if (old) old.resolve({ status: 'dropped', reason: 'superseded' });
        early.set(frame.cameraId, { frame, resolve });
      });
    },
    close: async () => {
      closed = true;
      for (const w of early.values()) w.resolve({ status: 'dropped', reason: 'closed' });
      early.clear();
      await scheduler?.close();
      const m = await model.catch(() => undefined);
      await m?.close();
    },
  };
  return inf;
}
