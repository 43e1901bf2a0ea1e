/**
 * Decoder ms/frame for both seed families on GT-derived head outputs (COCO sample, 133 classes;
 * Cityscapes frame, 19 classes) resized to typical head sizes. Run: `npx tsx bench/decoders.ts`.
 */
import { decodeGeneralistPe, DEFAULT_GENERALIST_PE_PARAMS } from '../src/model/decoders/generalist-pe.js';
import { decodePanopticDeepLab, DEFAULT_PANOPTIC_DEEPLAB_PARAMS } from '../src/model/decoders/panoptic-deeplab.js';
import { gtTensors, loadCityscapesSample, loadCocoSamples, resizeGt, withGaussianNoise, type GtSample } from '../test/helpers/gt-tensors.js';

function timeMs(fn: () => void, minMs = 400): { median: number; p90: number } {
  for (let i = 0; i < 3; i++) fn();
  const t: number[] = [];
  const start = performance.now();
  while (performance.now() - start < minMs || t.length < 10) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return { median: t[t.length >> 1]!, p90: t[Math.floor(t.length * 0.9)]! };
}

export async function run(): Promise<void> {
  const samples: [string, GtSample][] = [
    ['coco(C=133)', loadCocoSamples()[1]!],
    ['cityscapes(C=19)', loadCityscapesSample()],
  ];
  const rows: string[][] = [['head size', 'data', 'thing px', 'PE 64² ms (p50/p90)', 'PE noisy ms', 'DeepLab d2 ms', 'DeepLab dl2 ms']];
  for (const [w, h] of [[160, 160], [320, 180]] as const) {
    for (const [name, full] of samples) {
      const gt = resizeGt(full, w, h);
      const t = gtTensors(gt);
      const noisy = withGaussianNoise(t.instance, 0.2, 7);
      const thingPx = gt.segments.filter((s) => s.isThing).reduce((a, s) => a + (s.area ?? 0), 0);
      const heads = { ...t, width: w, height: h };
      const f = (m: { median: number; p90: number }): string => `${m.median.toFixed(2)} / ${m.p90.toFixed(2)}`;
      rows.push([
        `${w}×${h}`,
        name,
        String(thingPx),
        f(timeMs(() => decodeGeneralistPe(heads, gt.classes, DEFAULT_GENERALIST_PE_PARAMS))),
        f(timeMs(() => decodeGeneralistPe({ ...heads, instance: noisy }, gt.classes, DEFAULT_GENERALIST_PE_PARAMS))),
        f(timeMs(() => decodePanopticDeepLab(heads, gt.classes, DEFAULT_PANOPTIC_DEEPLAB_PARAMS))),
        f(timeMs(() => decodePanopticDeepLab(heads, gt.classes, { ...DEFAULT_PANOPTIC_DEEPLAB_PARAMS, scoreMode: 'deeplab2' }))),
      ]);
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  console.log('decoders (ms/frame, single thread, this machine)');
  for (const r of rows) console.log(r.map((v, c) => v.padEnd(widths[c]!)).join(' | '));
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
