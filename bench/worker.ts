/**
 * Model in the main thread vs in a worker thread (`loadModel(name, { worker: true })`): event-loop
 * delay (perf_hooks.monitorEventLoopDelay, 10 ms resolution) p50/p99/max while frames are processed
 * back to back, and frames per second, for the default composite bundle on bus.jpg at 768×432 (the
 * demo cameras' size). Both adapters are loaded at once and measured in alternating rounds, so
 * machine-load drift hits them alike. Needs ../shared (or PANOPTIC_STREAM_MODELS/DATA).
 * Env: WORKER_BENCH_MODEL (default `default`), WORKER_BENCH_FRAMES per round (default 4), WORKER_BENCH_ROUNDS (default 2).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import sharp from 'sharp';
import type { RgbImage } from '../src/core/types.js';
import { loadModel } from '../src/model/loader.js';
import type { FamilyAdapter } from '../src/model/types.js';
import { dataPath, sharedModelsDir } from '../test/helpers/fixtures.js';

interface Sample {
  frames: number;
  wallMs: number;
  /** Per round: event-loop delay p50, p99 and max in ns. A fresh histogram per round: one re-enabled
   * after a pause records the whole pause as its first delay. */
  rounds: { p50: number; p99: number; max: number }[];
  decodeMs: number[];
}

const pct = (v: number[], p: number): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]! : NaN;
};

/** Processes `frames` frames back to back while the event-loop delay histogram records. */
async function measure(model: FamilyAdapter, image: RgbImage, frames: number, into: Sample): Promise<void> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const t0 = performance.now();
  for (let i = 0; i < frames; i++) into.decodeMs.push((await model.process([image]))[0]!.timings.decodeMs ?? NaN);
  into.wallMs += performance.now() - t0;
  h.disable();
  into.frames += frames;
  into.rounds.push({ p50: h.percentile(50), p99: h.percentile(99), max: h.max });
}

export async function run(): Promise<void> {
  const name = process.env.WORKER_BENCH_MODEL ?? 'default';
  const frames = Number(process.env.WORKER_BENCH_FRAMES ?? 4);
  const rounds = Number(process.env.WORKER_BENCH_ROUNDS ?? 2);
  const { data, info } = await sharp(dataPath('images', 'bus.jpg')).resize(768, 432, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const image: RgbImage = { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  const opts = { modelDirs: [sharedModelsDir()], executionProviders: ['cpu'] };
  const modes = [
    { label: 'main thread', model: await loadModel(name, opts) },
    { label: 'worker thread', model: await loadModel(name, { ...opts, worker: true }) },
  ];
  try {
    for (const m of modes) await m.model.process([image]); // first-run allocations off the record
    const samples: Sample[] = modes.map(() => ({ frames: 0, wallMs: 0, rounds: [], decodeMs: [] }));
    for (let r = 0; r < rounds; r++) for (const [k, m] of modes.entries()) await measure(m.model, image, frames, samples[k]!);
    console.log(`model ${name}, 768×432, ${rounds} rounds × ${frames} frames per mode, alternating; event-loop delay from monitorEventLoopDelay (10 ms resolution)`);
    console.log('mode            frames/s   loop delay p50 ms   p99 ms   max ms   decode ms (median, in its thread); p50 median of rounds, p99 worst round');
    modes.forEach((m, k) => {
      const s = samples[k]!;
      const p50 = pct(s.rounds.map((r) => r.p50), 0.5) / 1e6;
      const p99 = Math.max(...s.rounds.map((r) => r.p99)) / 1e6;
      const max = Math.max(...s.rounds.map((r) => r.max)) / 1e6;
      console.log(
        `${m.label.padEnd(15)} ${((1000 * s.frames) / s.wallMs).toFixed(2).padStart(8)}   ${p50.toFixed(1).padStart(17)}   ${p99.toFixed(0).padStart(6)}   ${max.toFixed(0).padStart(6)}   ${pct(s.decodeMs, 0.5).toFixed(0).padStart(9)}`,
      );
    });
  } finally {
    await Promise.all(modes.map((m) => m.model.close()));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
