/**
 * Decoder ms/frame for both seed families on GT-derived head outputs (COCO sample, 133 classes;
 * Cityscapes frame, 19 classes) resized to typical head sizes. Run: `npx tsx bench/decoders.ts`.
 */
import { decodeGeneralistPe, DEFAULT_GENERALIST_PE_PARAMS, PAPER_GENERALIST_PE_PARAMS } from '../src/model/decoders/generalist-pe.js';
import { decodePanopticDeepLab, DEFAULT_PANOPTIC_DEEPLAB_PARAMS } from '../src/model/decoders/panoptic-deeplab.js';
import { gtTensors, loadCityscapesSample, loadCocoSamples, resizeGt, withGaussianNoise, type GtSample } from '../test/helpers/gt-tensors.js';

/**
 * Median wall-clock ms and median CPU ms (process.cpuUsage, user + system) per call. On a shared, loaded
 * machine the CPU figure is the one to compare with the 5 ms goal: wall time includes waiting for a core.
 */
function timeMs(fn: () => void, minMs = 400): { wall: number; cpu: number } {
  for (let i = 0, t0 = performance.now(); i < 5 || performance.now() - t0 < 200; i++) fn(); // warm-up: let V8 tier up
  const wall: number[] = [];
  const cpu: number[] = [];
  const start = performance.now();
  while (performance.now() - start < minMs || wall.length < 10) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  wall.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return { wall: wall[wall.length >> 1]!, cpu: cpu[cpu.length >> 1]! };
}

export async function run(): Promise<void> {
  const samples: [string, GtSample][] = [
    ['coco(C=133)', loadCocoSamples()[1]!],
    ['cityscapes(C=19)', loadCityscapesSample()],
  ];
  const rows: string[][] = [['head size', 'data', 'thing px', 'PE 64² refined (cpu/wall ms)', 'PE 64² paper', 'PE 32² refined', 'PE 64² noisy σ=0.2', 'DeepLab detectron2', 'DeepLab deeplab2']];
  for (const [w, h] of [[160, 160], [320, 180]] as const) {
    for (const [name, full] of samples) {
      const gt = resizeGt(full, w, h);
      const t = gtTensors(gt);
      const noisy = withGaussianNoise(t.instance, 0.2, 7);
      const thingPx = gt.segments.filter((s) => s.isThing).reduce((a, s) => a + (s.area ?? 0), 0);
      const heads = { ...t, width: w, height: h };
      const f = (m: { wall: number; cpu: number }): string => `${m.cpu.toFixed(1)} / ${m.wall.toFixed(1)}`;
      rows.push([
        `${w}×${h}`,
        name,
        String(thingPx),
        f(timeMs(() => decodeGeneralistPe(heads, gt.classes, DEFAULT_GENERALIST_PE_PARAMS))),
        f(timeMs(() => decodeGeneralistPe(heads, gt.classes, PAPER_GENERALIST_PE_PARAMS))),
        f(timeMs(() => decodeGeneralistPe(heads, gt.classes, { ...DEFAULT_GENERALIST_PE_PARAMS, bins: 32 }))),
        f(timeMs(() => decodeGeneralistPe({ ...heads, instance: noisy }, gt.classes, DEFAULT_GENERALIST_PE_PARAMS))),
        f(timeMs(() => decodePanopticDeepLab(heads, gt.classes, DEFAULT_PANOPTIC_DEEPLAB_PARAMS))),
        f(timeMs(() => decodePanopticDeepLab(heads, gt.classes, { ...DEFAULT_PANOPTIC_DEEPLAB_PARAMS, scoreMode: 'deeplab2' }))),
      ]);
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  console.log(`decoders: median ms/frame, CPU / wall (single thread; load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)} on ${(await import('node:os')).cpus().length} cores)`);
  for (const r of rows) console.log(r.map((v, c) => v.padEnd(widths[c]!)).join(' | '));
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
