/**
 * `panoptic-stream segment IMAGE --model NAME --out overlay.png --json segments.json`: one image
 * through any model bundle; writes a simple overlay (class colours blended, segment boundaries) and
 * the segments as JSON, and prints a one-line summary per segment.
 */
import { writeFile } from 'node:fs/promises';
import { ConfigError } from '../../core/errors.js';
import { encodePng, loadImage } from '../../core/image.js';
import type { Category, PanopticFrame, RgbImage } from '../../core/types.js';
import { flagNumber, flagString, parseArgs } from '../args.js';
import type { Command } from '../types.js';

/** Version of the JSON written by `segment --json`. */
export const SEGMENT_JSON_VERSION = 1;

/**
 * Blends each pixel with its class colour (`alpha`, default 0.5), draws segment boundaries in white
 * and leaves void pixels as they are.
 */
export function renderOverlay(img: RgbImage, f: PanopticFrame, categories: readonly Category[], alpha = 0.5): RgbImage {
  const { width: w, height: h } = img;
  const byCat = new Map(categories.map((c) => [c.id, c.color]));
  const colorOf = new Map(f.segments.map((s) => [s.id, byCat.get(s.categoryId) ?? ([255, 255, 255] as const)]));
  const out = new Uint8Array(img.data);
  for (let y = 0, i = 0; y < h; y++) {
    for (let x = 0; x < w; x++, i++) {
      const id = f.ids[i]!;
      if (id === 0) continue;
      const boundary = (x + 1 < w && f.ids[i + 1] !== id) || (y + 1 < h && f.ids[i + w] !== id) || (x > 0 && f.ids[i - 1] !== id) || (y > 0 && f.ids[i - w] !== id);
      const c = boundary ? ([255, 255, 255] as const) : colorOf.get(id);
      if (!c) continue;
      const a = boundary ? 1 : alpha;
      for (let k = 0; k < 3; k++) out[i * 3 + k] = Math.round(out[i * 3 + k]! * (1 - a) + c[k]! * a);
    }
  }
  return { width: w, height: h, data: out };
}

/** The JSON document of `segment --json`. */
export function segmentsJson(model: string, f: PanopticFrame, categories: readonly Category[]): Record<string, unknown> {
  const names = new Map(categories.map((c) => [c.id, c.name]));
  return {
    version: SEGMENT_JSON_VERSION,
    model,
    width: f.width,
    height: f.height,
    ...(f.depthKind ? { depthKind: f.depthKind } : {}),
    timings: f.timings,
    segments: f.segments.map((s) => ({
      id: s.id,
      categoryId: s.categoryId,
      category: names.get(s.categoryId) ?? String(s.categoryId),
      isThing: s.isThing,
      score: Number(s.score.toFixed(4)),
      area: s.area,
      bbox: s.bbox,
      centroid: s.centroid.map((v) => Number(v.toFixed(2))),
      ...(s.depth ? { depth: { median: Number(s.depth.median.toFixed(3)), min: Number(s.depth.min.toFixed(3)), max: Number(s.depth.max.toFixed(3)) } } : {}),
    })),
  };
}

const command: Command = {
  name: 'segment',
  usage: 'segment IMAGE [--model NAME] [--out PNG] [--json FILE]',
  summary: 'panoptic segmentation (+ depth) of one image with a model bundle',
  async run(argv, signal) {
    const args = parseArgs(argv, { model: 'string', out: 'string', json: 'string', 'models-dir': 'string', ep: 'string', threads: 'string', alpha: 'string' });
    const [image, ...extra] = args.positionals;
    if (!image) throw new ConfigError('IMAGE', undefined, 'missing; usage: panoptic-stream segment IMAGE [--model NAME] [--out overlay.png] [--json segments.json]');
    if (extra.length) throw new ConfigError('IMAGE', extra, 'only one image per call');
    const name = flagString(args, 'model') ?? 'default';
    const alpha = flagNumber(args, 'alpha', { min: 0 }) ?? 0.5;
    if (alpha > 1) throw new ConfigError('--alpha', alpha, 'must be between 0 and 1');
    const threads = flagNumber(args, 'threads', { min: 1, integer: true });
    const img = await loadImage(image, 'IMAGE');
    // Lazy: loading onnxruntime only when a model is really needed.
    const { loadModel } = await import('../../model/loader.js');
    const model = await loadModel(name, {
      ...(flagString(args, 'models-dir') ? { modelDirs: flagString(args, 'models-dir')!.split(':') } : {}),
      ...(flagString(args, 'ep') ? { executionProviders: flagString(args, 'ep')!.split(',') } : {}),
      ...(threads ? { intraOpNumThreads: threads } : {}),
      warmup: false,
    });
    try {
      const [frame] = await model.process([img], signal);
      const f = frame!;
      const names = new Map(model.categories.map((c) => [c.id, c.name]));
      const out = flagString(args, 'out');
      const json = flagString(args, 'json');
      if (out) await writeFile(out, await encodePng(renderOverlay(img, f, model.categories, alpha)));
      if (json) await writeFile(json, `${JSON.stringify(segmentsJson(name, f, model.categories), null, 2)}\n`);
      console.log(`${name}: ${f.segments.length} segments in ${Math.round(f.timings.totalMs ?? 0)} ms (${img.width}×${img.height})`);
      for (const s of f.segments)
        console.log(
          `  #${s.id} ${(names.get(s.categoryId) ?? String(s.categoryId)).padEnd(16)} ${s.isThing ? 'thing' : 'stuff'} score ${s.score.toFixed(2)} area ${s.area}` +
            (s.depth ? ` depth ${s.depth.median.toFixed(2)}${f.depthKind === 'metric' ? ' m' : ''}` : ''),
        );
      return 0;
    } finally {
      await model.close();
    }
  },
};

export default command;
