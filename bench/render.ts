/**
 * Per-frame output stage costs at 768×432 (the model's working size): overlay in every mode, segment
 * JSON with and without RLE masks, I420 and JPEG. Goal: overlay ≤ 5 ms/frame.
 * A realistic frame: the sample photo scaled to 768×432, ~25 segments (a road/sky/building stuff
 * layout plus 20 irregular things), a depth map with noise.
 */
import sharp from 'sharp';
import type { Category, TrackedFrame, TrackedSegment } from '../src/core/types.js';
import { buildSegments } from '../src/model/segments.js';
import { rgbToI420, i420Size } from '../src/streams/encode/i420.js';
import { encodeFrameJpeg } from '../src/streams/encode/jpeg.js';
import { OverlayRenderer, type RenderMode } from '../src/streams/render/overlay.js';
import { toSegmentMessage } from '../src/streams/serialize/segment-message.js';
import { dataPath } from '../test/helpers/fixtures.js';

const W = 768;
const H = 432;

const categories: Category[] = [
  { id: 1, name: 'person', isThing: true, color: [220, 20, 60] },
  { id: 3, name: 'car', isThing: true, color: [0, 0, 142] },
  { id: 100, name: 'road', isThing: false, color: [128, 64, 128] },
  { id: 101, name: 'sky', isThing: false, color: [70, 130, 180] },
  { id: 102, name: 'building', isThing: false, color: [70, 70, 70] },
];

function makeFrame(): TrackedFrame {
  const ids = new Int32Array(W * H);
  const depth = new Float32Array(W * H);
  let seed = 7;
  const rand = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      ids[i] = y < H * 0.3 ? 1 : y < H * 0.6 ? 2 : 3;
      depth[i] = 2 + 40 * (1 - y / H) + rand();
    }
  const infos = [
    { id: 1, categoryId: 101, isThing: false },
    { id: 2, categoryId: 102, isThing: false },
    { id: 3, categoryId: 100, isThing: false },
  ];
  for (let k = 0; k < 20; k++) {
    const id = 4 + k;
    const cx = 30 + rand() * (W - 60);
    const cy = 60 + rand() * (H - 120);
    const rx = 10 + rand() * 40;
    const ry = 20 + rand() * 50;
    for (let y = Math.max(0, Math.floor(cy - ry)); y < Math.min(H, cy + ry); y++)
      for (let x = Math.max(0, Math.floor(cx - rx)); x < Math.min(W, cx + rx); x++) if (((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1) ids[y * W + x] = id;
    infos.push({ id, categoryId: k % 3 === 0 ? 3 : 1, isThing: true });
  }
  const segs = buildSegments(ids, W, H, infos, { depth });
  const segments: TrackedSegment[] = segs.map((s) => ({ ...s, trackId: s.id * 3, state: 'confirmed', ageFrames: 10, velocity: [0.5, 0] }));
  return { width: W, height: H, ids, depth, depthKind: 'metric', segments, events: [], timings: { runMs: 40 } };
}

interface Timing {
  /** Wall-clock ms per call. */
  mean: number;
  median: number;
  /** Fastest call: the best estimate of the uncontended cost on a shared machine. */
  min: number;
  /** Process CPU ms per call (all threads): the cost without contention from other processes. */
  cpu: number;
}

async function time(fn: () => unknown, iters: number): Promise<Timing> {
  for (let i = 0; i < 10; i++) await fn(); // warm-up (JIT)
  const t: number[] = [];
  const c0 = process.cpuUsage();
  for (let i = 0; i < iters; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  const c = process.cpuUsage(c0);
  t.sort((a, b) => a - b);
  return { mean: t.reduce((a, b) => a + b, 0) / t.length, median: t[t.length >> 1]!, min: t[0]!, cpu: (c.user + c.system) / 1000 / iters };
}

export async function run(): Promise<void> {
  const { data } = await sharp(dataPath('images', 'bus.jpg')).resize(W, H, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const image = { width: W, height: H, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  const tracked = makeFrame();
  const renderer = new OverlayRenderer(categories);
  const rows: [string, Timing][] = [];
  for (const mode of ['overlay', 'raw', 'depth', 'side-by-side'] as RenderMode[]) rows.push([`render ${mode}`, await time(() => renderer.render(image, tracked, { mode }), 200)]);
  rows.push(['render overlay, no labels', await time(() => renderer.render(image, tracked, { labels: false }), 200)]);
  rows.push(['render overlay, no labels/boundaries', await time(() => renderer.render(image, tracked, { labels: false, boundaries: false }), 200)]);
  const meta = { model: 'bench', categories, cameraId: 'bench', seq: 1, ptsMs: 0, capturedAtMs: Date.now() };
  rows.push(['segment JSON (no masks) + stringify', await time(() => JSON.stringify(toSegmentMessage(tracked, meta)), 200)]);
  rows.push(['segment JSON (RLE masks) + stringify', await time(() => JSON.stringify(toSegmentMessage(tracked, meta, { masks: true })), 50)]);
  const out = new Uint8ClampedArray(i420Size(W, H));
  rows.push(['RGB → I420', await time(() => rgbToI420(image, out), 200)]);
  const overlay = renderer.render(image, tracked);
  rows.push(['JPEG q80 (sharp)', await time(() => encodeFrameJpeg(overlay), 40)]);
  console.log(`${W}×${H}, ${tracked.segments.length} segments (goal: render overlay ≤ 5 ms)`);
  console.log(`${'stage (ms per frame)'.padEnd(40)} ${'wall min'.padStart(9)} ${'wall med'.padStart(9)} ${'wall mean'.padStart(10)} ${'CPU'.padStart(7)}`);
  for (const [name, r] of rows)
    console.log(`${name.padEnd(40)} ${r.min.toFixed(2).padStart(9)} ${r.median.toFixed(2).padStart(9)} ${r.mean.toFixed(2).padStart(10)} ${r.cpu.toFixed(2).padStart(7)}`);
}

// Direct invocation: `npx tsx bench/render.ts`.
if (import.meta.url === `file://${process.argv[1]}`) await run();
