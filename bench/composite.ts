/**
 * Composite bundles: ms per frame (parallel vs sequential components, ORT threads), panoptic quality
 * on the COCO sample, and depth error (AbsRel, δ<1.25) of the two small depth models on
 * Cityscapes-DVPS and KITTI-STEP ground truth. Needs ../shared (or PANOPTIC_STREAM_MODELS/DATA).
 * `COMPOSITE_BENCH=speed|pq|depth` runs one part.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { PanopticFrame } from '../src/core/types.js';
import { evaluatePq, type PanopticImage } from '../src/eval/pq.js';
import { DepthHead } from '../src/model/depth/DepthHead.js';
import { depthMetrics, type DepthAlignment } from '../src/model/depth/depthMetrics.js';
import { readManifest } from '../src/model/manifest.js';
import { loadModel } from '../src/model/loader.js';
import { createSession } from '../src/model/session.js';
import { dataPath, repoRoot, sharedModelPath, sharedModelsDir } from '../test/helpers/fixtures.js';
import { cocoMapFor } from '../test/model/families/composite/cocoMapping.js';
import { cityscapesDvps, kittiStep, type GtFrame } from '../test/model/depth/groundTruth.js';
import { loadCocoSample } from '../test/model/families/mask-classification/cocoSample.js';

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1]!;

/** A temp copy of a shipped bundle with `params.schedule` replaced (files still found by SHA-256). */
function bundleVariant(root: string, name: string, schedule: 'parallel' | 'sequential', threads: number): string {
  const dir = join(root, `${name}-${schedule}-${threads}`);
  cpSync(join(repoRoot, 'models', name), dir, { recursive: true });
  const m = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { name: string; params: { schedule: string } };
  m.name = `${name}-${schedule}-${threads}`;
  m.params.schedule = schedule;
  writeFileSync(join(dir, 'model.json'), JSON.stringify(m));
  return dir;
}

async function speed(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'ps-bench-composite-'));
  // bus.jpg resized to 768×432, the size the demo cameras deliver.
  const { data, info } = await sharp(dataPath('images', 'bus.jpg')).resize(768, 432, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const video = { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  console.log('bundle    schedule    threads  ms/frame 768×432 (median of 9, variants interleaved)  run  decode');
  const variants = [['parallel', 1], ['parallel', 2], ['sequential', 1], ['sequential', 2]] as const;
  for (const name of ['default', 'indoor', 'fast']) {
    // All variants loaded at once and timed round-robin, so machine-load drift hits them alike.
    const models = [];
    for (const [schedule, threads] of variants) models.push(await loadModel(bundleVariant(root, name, schedule, threads), { executionProviders: ['cpu'], intraOpNumThreads: threads }));
    const t: PanopticFrame['timings'][][] = variants.map(() => []);
    for (const m of models) await m.process([video]);
    for (let i = 0; i < 9; i++) for (const [k, m] of models.entries()) t[k]!.push((await m.process([video]))[0]!.timings);
    variants.forEach(([schedule, threads], k) => {
      const x = t[k]!;
      console.log(
        `${name.padEnd(9)} ${schedule.padEnd(11)} ${String(threads).padEnd(8)} ${median(x.map((v) => v.totalMs!)).toFixed(0).padStart(8)}${' '.repeat(46)}${median(x.map((v) => v.runMs!)).toFixed(0).padStart(4)} ${median(x.map((v) => v.decodeMs!)).toFixed(0).padStart(6)}`,
      );
    });
    for (const m of models) await m.close();
  }
  rmSync(root, { recursive: true, force: true });
}

/** Unified frame → COCO categories (unmapped segments void, stuff of one COCO class merged). */
function toCoco(f: PanopticFrame, map: Map<number, number>): PanopticImage {
  const remap = new Int32Array(f.segments.reduce((m, s) => Math.max(m, s.id), 0) + 1);
  const stuff = new Map<number, number>();
  const segments: { id: number; categoryId: number }[] = [];
  for (const s of f.segments) {
    const c = map.get(s.categoryId) ?? -1;
    if (c < 0) continue;
    const merged = s.isThing ? undefined : stuff.get(c);
    remap[s.id] = merged ?? s.id;
    if (merged !== undefined) continue;
    if (!s.isThing) stuff.set(c, s.id);
    segments.push({ id: s.id, categoryId: c });
  }
  return { width: f.width, height: f.height, ids: f.ids.map((v) => remap[v]!), segments };
}

async function pq(): Promise<void> {
  const coco = await loadCocoSample();
  console.log('bundle    PQ     SQ     RQ     PQ_th  PQ_st  (COCO panoptic sample, 2 images)');
  for (const name of ['default', 'indoor', 'fast'] as const) {
    const model = await loadModel(name, { executionProviders: ['cpu'] });
    const map = cocoMapFor(name, model.categories);
    const pairs = [];
    for (const { image, gt } of coco.images) pairs.push({ gt, pred: toCoco((await model.process([image]))[0]!, map) });
    const r = evaluatePq(pairs, coco.pqCategories);
    const f = (v: number): string => (100 * v).toFixed(1).padStart(5);
    console.log(`${name.padEnd(9)} ${f(r.all.pq)}  ${f(r.all.sq)}  ${f(r.all.rq)}  ${f(r.things.pq)}  ${f(r.stuff.pq)}`);
    const cats = new Map(coco.categories.map((c) => [c.id, c.name]));
    console.log(`          per class: ${r.perClass.filter((c) => c.tp + c.fp + c.fn > 0).map((c) => `${cats.get(c.categoryId)} ${(100 * c.pq).toFixed(0)} (tp ${c.tp} fp ${c.fp} fn ${c.fn})`).join('; ')}`);
    await model.close();
  }
}

async function depth(): Promise<void> {
  const sets: [string, GtFrame[]][] = [['cityscapes-dvps', await cityscapesDvps(6)], ['kitti-step', await kittiStep(9)]];
  const models = [
    { label: 'FastDepth (metric)', bundle: 'indoor' },
    { label: 'PyDNet++ (relative)', file: ['pydnet-pp', 'pydnet_pp_448x640.onnx'], input: { name: 'input_nhwc', width: 640, height: 448 }, output: 'disp_0' },
  ];
  console.log('model                 data              align                AbsRel  δ<1.25  ms/frame  median scale  (GT ≤ 80 m)');
  for (const m of models) {
    let head: DepthHead;
    let close: () => Promise<void>;
    if (m.bundle) {
      const man = readManifest(join(repoRoot, 'models', m.bundle, 'model.json'));
      const s = await createSession(sharedModelPath('fastdepth-nyu', 'fastdepth_320x320.onnx'), { executionProviders: ['cpu'] });
      head = new DepthHead(s, man.components.depth!, man.depth!);
      close = () => s.close();
    } else {
      const man = readManifest(join(repoRoot, 'models', 'default', 'model.json'));
      const s = await createSession(sharedModelPath(...m.file!), { executionProviders: ['cpu'] });
      const comp = { ...man.components.depth!, input: { ...man.components.depth!.input, ...m.input }, outputs: { depth: m.output! } };
      head = new DepthHead(s, comp, { kind: 'relative' });
      close = () => s.close();
    }
    for (const [setName, frames] of sets) {
      const aligns: DepthAlignment[] = m.bundle ? ['none', 'median'] : ['median', 'inverse-scale-shift'];
      const preds: Float32Array[] = [];
      const ms: number[] = [];
      for (const f of frames) {
        const t0 = performance.now();
        preds.push(await head.infer(f.image));
        ms.push(performance.now() - t0);
      }
      for (const align of aligns) {
        const r = frames.map((f, i) => depthMetrics(preds[i]!, f.depth, { align, maxDepth: 80 }));
        const mean = (k: 'absRel' | 'delta1'): number => r.reduce((a, x) => a + x[k], 0) / r.length;
        const scale = align === 'median' ? median(r.map((x) => x.scale)).toFixed(2) : '';
        console.log(`${m.label.padEnd(21)} ${setName.padEnd(17)} ${align.padEnd(20)} ${mean('absRel').toFixed(3).padStart(6)}  ${mean('delta1').toFixed(3).padStart(6)}  ${median(ms).toFixed(0).padStart(8)}  ${scale.padStart(12)}`);
      }
    }
    await close();
  }
}

export async function run(): Promise<void> {
  process.env.PANOPTIC_STREAM_MODELS ??= sharedModelsDir();
  const part = process.env.COMPOSITE_BENCH;
  if (!part || part === 'speed') await speed();
  if (!part || part === 'pq') await pq();
  if (!part || part === 'depth') await depth();
}
