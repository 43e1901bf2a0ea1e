/**
 * The shared inference path of the server: frames of every camera → one batch scheduler → the
 * model. Until the model is loaded, frames wait (newest-wins per camera); after `close()` they are
 * dropped.
 */
import type { Frame } from '../core/types.js';
import type { FamilyAdapter } from '../model/types.js';
import type { InferOutcome } from '../streams/camera-pipeline.js';

export interface Inference {
  submit(frame: Frame): Promise<InferOutcome>;
  /** Called once per batch run (metrics). */
  onBatch?: (size: number, runMs: number) => void;
  close(): Promise<void>;
}

export interface InferenceOptions {
  maxBatch?: number;
  maxWaitMs?: number;
}

/** TEMPORARY stand-in until src/model/scheduler.ts lands: one frame at a time, newest-wins per camera. */
export function createInference(model: Promise<FamilyAdapter>, _opts: InferenceOptions): Inference {
  const waiting = new Map<string, { frame: Frame; resolve(o: InferOutcome): void; reject(e: unknown): void }>();
  let running = false;
  let closed = false;
  const inf: Inference = {
    submit(frame) {
      if (closed) return Promise.resolve({ status: 'dropped' });
      return new Promise<InferOutcome>((resolve, reject) => {
        const old = waiting.get(frame.cameraId);
        if (old) old.resolve({ status: 'dropped' });
        waiting.set(frame.cameraId, { frame, resolve, reject });
        void pump();
      });
    },
    close: async () => {
      closed = true;
      for (const w of waiting.values()) w.resolve({ status: 'dropped' });
      waiting.clear();
      const m = await model.catch(() => undefined);
      await m?.close();
    },
  };
  async function pump(): Promise<void> {
    if (running) return;
    running = true;
    try {
      const adapter = await model;
      while (waiting.size && !closed) {
        const [id, job] = waiting.entries().next().value!;
        waiting.delete(id);
        const t0 = performance.now();
        try {
          const [result] = await adapter.process([job.frame]);
          inf.onBatch?.(1, performance.now() - t0);
          job.resolve({ status: 'done', result: { ...result!, frame: job.frame } });
        } catch (err) {
          job.reject(err);
        }
      }
    } catch (err) {
      for (const w of waiting.values()) w.reject(err);
      waiting.clear();
    } finally {
      running = false;
    }
  }
  return inf;
}
