/**
 * Entry of the inference worker when panoptic-stream runs from its TypeScript sources (tests, `tsx`):
 * registers tsx in this thread, then imports the .ts worker named in workerData.entry. The compiled
 * package (dist/) starts inference-worker.js directly and never loads this file.
 */
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
