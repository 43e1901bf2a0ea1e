/**
 * The inference worker: loads the model with `loadModel` (same options as the main thread asked for),
 * reports its {@link AdapterInfo} once, then runs `adapter.process` for every `process` message and
 * posts the frames back with their big buffers transferred. Started by {@link WorkerAdapter}; never
 * imported by the main thread.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createLogger, setLogLevel } from '../../core/logger.js';
import { loadModel } from '../loader.js';
import type { FamilyAdapter } from '../types.js';
import { framesForWire, resultTransferList, toWireError, type FromWorker, type ToWorker, type WorkerInit } from './protocol.js';

const log = createLogger('model:worker');

async function main(): Promise<void> {
  if (isMainThread || !parentPort) throw new Error('inference-worker runs in a worker thread only');
  const port = parentPort;
  const init = workerData as WorkerInit;
  setLogLevel(init.logLevel);
  const post = (m: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

  let adapter: FamilyAdapter;
  try {
    adapter = await loadModel(init.nameOrDir, { ...init.opts, worker: false });
  } catch (err) {
    post({ type: 'load-error', error: toWireError(err) });
    return; // the port closes with the event loop: the worker exits
  }
  const { family, categories, maxBatch, executionProviders } = adapter;
  const jobs = new Map<number, AbortController>();
  let closing: Promise<void> | undefined;

  port.on('message', (m: ToWorker) => {
    if (m.type === 'abort') jobs.get(m.id)?.abort(new DOMException('inference aborted', 'AbortError'));
    else if (m.type === 'close') {
      closing ??= (async () => {
        for (const c of jobs.values()) c.abort(new DOMException('model worker closing', 'AbortError'));
        await adapter.close().catch((err: unknown) => log.warn('model close failed', { error: String(err) }));
        post({ type: 'closed' });
        port.close();
      })();
    } else if (m.type === 'process') {
      if (closing) return;
      const ctl = new AbortController();
      jobs.set(m.id, ctl);
      adapter.process(m.images, ctl.signal).then(
        (frames) => {
          jobs.delete(m.id);
          if (!closing) post({ type: 'result', id: m.id, frames: framesForWire(frames) }, resultTransferList(frames));
        },
        (err: unknown) => {
          jobs.delete(m.id);
          if (!closing) post({ type: 'error', id: m.id, error: toWireError(err) });
        },
      );
    }
  });
  post({ type: 'ready', info: { family, categories, maxBatch, executionProviders } });
}

// A failure outside a job (e.g. a bad workerData) rejects here: the worker exits with an 'error' event,
// which the adapter reports as a crash.
await main();
