/**
 * `panoptic-stream eval stq --format step|dvps --gt DIR --pred DIR [--things 11,…] [--num-classes 19]
 * [--ignore 255] [--json OUT]`: STQ/AQ/SQ over folders of panoptic label PNGs. Files are paired by name;
 * each sub-folder of `--gt` is one sequence (or the folder itself when it has no sub-folders).
 * `step`: R = class, G·256 + B = instance (KITTI-STEP); `dvps`: 16-bit class·1000 + instance (Cityscapes-DVPS,
 * `*_segmentation.png`, class 32 = void).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { StqAccumulator } from './stq.js';
import { CITYSCAPES_NUM_CLASSES, CITYSCAPES_THING_TRAIN_IDS, readDvpsPng, readStepPng } from './step-labels.js';

export interface StqCommandArgs {
  format: string;
  gt: string;
  pred: string;
  things?: string;
  numClasses?: string;
  ignore?: string;
  json?: string;
}

function int(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`--${name}`, v, 'expected a non-negative integer');
  return n;
}

/** Runs the evaluation, prints a table, returns the exit code. */
export async function runStqCommand(a: StqCommandArgs, log: (line: string) => void): Promise<number> {
  if (a.format !== 'step' && a.format !== 'dvps') throw new ConfigError('--format', a.format, 'expected step or dvps');
  for (const [k, d] of [['--gt', a.gt], ['--pred', a.pred]] as const) if (!existsSync(d) || !statSync(d).isDirectory()) throw new ConfigError(k, d, 'not a directory');
  const things = a.things ? a.things.split(',').map((t) => int('things', t.trim())) : [...CITYSCAPES_THING_TRAIN_IDS];
  const ignore = a.ignore ? int('ignore', a.ignore) : 255;
  const stq = new StqAccumulator({ numClasses: a.numClasses ? int('num-classes', a.numClasses) : CITYSCAPES_NUM_CLASSES, thingClasses: things, ignoreLabel: ignore, labelDivisor: 1000, offset: 1 << 26 });
  const subdirs = readdirSync(a.gt).filter((d) => statSync(join(a.gt, d)).isDirectory()).sort();
  const sequences = subdirs.length ? subdirs.map((d) => [d, join(a.gt, d), join(a.pred, d)] as const) : [[basename(a.gt), a.gt, a.pred] as const];
  const read = (p: string, field: string) => (a.format === 'step' ? readStepPng(p, 1000, field) : readDvpsPng(p, 1000, ignore, field));
  let frames = 0;
  for (const [id, gtDir, predDir] of sequences) {
    const files = readdirSync(gtDir).filter((f) => (a.format === 'dvps' ? f.endsWith('_segmentation.png') : f.endsWith('.png'))).sort();
    for (const f of files) {
      const predPath = join(predDir, f);
      if (!existsSync(predPath)) throw new ConfigError('--pred', predPath, `missing prediction for ground truth ${join(gtDir, f)}`);
      const [g, p] = await Promise.all([read(join(gtDir, f), '--gt'), read(predPath, '--pred')]);
      if (g.width !== p.width || g.height !== p.height) throw new ConfigError('--pred', predPath, `size ${p.width}×${p.height} differs from ground truth ${g.width}×${g.height}`);
      stq.update(g.labels, p.labels, id);
      frames++;
    }
  }
  if (frames === 0) throw new ConfigError('--gt', a.gt, 'no ground-truth PNGs found');
  const r = stq.result();
  log('sequence            frames  STQ     AQ      SQ(mIoU)');
  for (const s of r.sequences) log(`${s.id.padEnd(20)}${String(s.frames).padEnd(8)}${s.stq.toFixed(4)}  ${s.aq.toFixed(4)}  ${s.sq.toFixed(4)}`);
  log(`${'all'.padEnd(20)}${String(frames).padEnd(8)}${r.stq.toFixed(4)}  ${r.aq.toFixed(4)}  ${r.sq.toFixed(4)}`);
  if (a.json) await writeFile(a.json, JSON.stringify(r, null, 2));
  return 0;
}
