/**
 * STQ of the default model + tracker on real street ground truth (`npm run bench -- tracking-real`):
 * KITTI-STEP 0001 (10 consecutive 1242×375 frames) and Cityscapes-DVPS sequence 0 (6 frames, 2048×1024).
 * The model's unified categories are mapped to Cityscapes trainIds (CATEGORY_TO_TRAIN_ID below); what has no
 * trainId is void in the prediction. Two reference rows use the same segmentation: fresh ids in every frame
 * (no association at all: the AQ floor) and the tracker fed the ground truth with ids removed (association
 * alone). Needs ../shared (or PANOPTIC_STREAM_MODELS / PANOPTIC_STREAM_DATA).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PanopticFrame, Segment, TrackedFrame } from '../src/core/types.js';
import { loadImage } from '../src/core/image.js';
import { StqAccumulator } from '../src/eval/stq.js';
import { CITYSCAPES_NUM_CLASSES, CITYSCAPES_THING_TRAIN_IDS, gtToPanopticFrame, readDvpsPng, readStepPng, trackedToLabels, type LabelMap } from '../src/eval/step-labels.js';
import { loadModel } from '../src/model/loader.js';
import type { FamilyAdapter } from '../src/model/types.js';
import { Tracker } from '../src/tracking/tracker.js';
import { dataPath, sharedModelsDir } from '../test/helpers/fixtures.js';

const DIVISOR = 1000;
const IGNORE = 255;
const STQ_CONFIG = { numClasses: CITYSCAPES_NUM_CLASSES, thingClasses: [...CITYSCAPES_THING_TRAIN_IDS], ignoreLabel: IGNORE, labelDivisor: DIVISOR, offset: 1 << 26 };

/**
 * Default-model category → Cityscapes trainId. Stuff is `1000 + trainId` (road … sky). COCO things with a
 * Cityscapes counterpart map to it; traffic light (a COCO thing) and stop sign map to the Cityscapes *stuff*
 * classes traffic light (6) and traffic sign (7), so they lose their instance id. Cannot map: rider (12; COCO
 * calls a cyclist a person, so GT riders can only be missed or counted as person), and every other COCO thing
 * (dog, bench, …), which is void here.
 */
export const CATEGORY_TO_TRAIN_ID: ReadonlyMap<number, number> = new Map([
  ...Array.from({ length: 11 }, (_, k) => [1000 + k, k] as [number, number]),
  [1, 11], // person
  [3, 13], // car
  [8, 14], // truck
  [6, 15], // bus
  [7, 16], // train
  [4, 17], // motorcycle
  [2, 18], // bicycle
  [10, 6], // traffic light → stuff
  [13, 7], // stop sign → traffic sign (stuff)
]);

/** Tracked frame → Cityscapes label map (trainId·1000 + track id for things, unmapped categories void). */
export function toCityscapesLabels(f: TrackedFrame, ids: (s: TrackedFrame['segments'][number]) => number): Int32Array {
  const things = new Set(CITYSCAPES_THING_TRAIN_IDS);
  const segments = f.segments.flatMap((s) => {
    const t = CATEGORY_TO_TRAIN_ID.get(s.categoryId);
    if (t === undefined) return [];
    return [{ ...s, categoryId: t, isThing: things.has(t), trackId: ids(s) }];
  });
  return trackedToLabels({ ...f, segments }, DIVISOR, IGNORE * DIVISOR);
}

interface Seq {
  name: string;
  images: string[];
  gt: () => Promise<LabelMap[]>;
}

function sequences(): Seq[] {
  const kImg = dataPath('kitti-step', 'images', '0001');
  const kGt = dataPath('kitti-step', 'panoptic', '0001');
  const dvps = dataPath('cityscapes-dvps', 'true');
  const pngs = (dir: string, suffix: string): string[] => readdirSync(dir).filter((f) => f.endsWith(suffix)).sort().map((f) => join(dir, f));
  return [
    { name: 'KITTI-STEP 0001', images: pngs(kImg, '.png'), gt: () => Promise.all(pngs(kGt, '.png').map((p) => readStepPng(p, DIVISOR))) },
    { name: 'Cityscapes-DVPS 0', images: pngs(dvps, '_capture.png'), gt: () => Promise.all(pngs(dvps, '_segmentation.png').map((p) => readDvpsPng(p, DIVISOR, IGNORE))) },
  ];
}

export interface RealRow {
  sequence: string;
  frames: number;
  what: string;
  stq: number;
  aq: number;
  sq: number;
  thingTracks: number;
}

function row(sequence: string, frames: number, what: string, acc: StqAccumulator, tracks: Set<number>): RealRow {
  const r = acc.result();
  return { sequence, frames, what, stq: r.stq, aq: r.aq, sq: r.sq, thingTracks: tracks.size };
}

/** Runs the model over one sequence and scores tracker ids, fresh per-frame ids and the GT-fed tracker. */
export async function evaluateSequence(model: FamilyAdapter, seq: Seq): Promise<{ rows: RealRow[]; modelMs: number }> {
  const gt = await seq.gt();
  if (gt.length !== seq.images.length) throw new Error(`${seq.name}: ${seq.images.length} images but ${gt.length} GT maps`);
  const tracker = new Tracker();
  const gtTracker = new Tracker();
  const accs = { tracker: new StqAccumulator(STQ_CONFIG), fresh: new StqAccumulator(STQ_CONFIG), gt: new StqAccumulator(STQ_CONFIG) };
  const tracks = { tracker: new Set<number>(), fresh: new Set<number>(), gt: new Set<number>() };
  const things = new Set(CITYSCAPES_THING_TRAIN_IDS);
  const isTrackedThing = (s: Segment): boolean => things.has(CATEGORY_TO_TRAIN_ID.get(s.categoryId) ?? -1);
  let modelMs = 0;
  for (let t = 0; t < gt.length; t++) {
    const img = await loadImage(seq.images[t]!);
    const t0 = performance.now();
    const [pf] = await model.process([img]);
    modelMs += performance.now() - t0;
    const frame: PanopticFrame = { ...pf!, frame: { cameraId: seq.name, seq: t, ptsMs: 0, capturedAtMs: 0, width: img.width, height: img.height, format: 'rgb24', data: new Uint8Array(0) } };
    const tracked = tracker.update(frame);
    for (const s of tracked.segments) if (isTrackedThing(s)) tracks.tracker.add(s.trackId);
    accs.tracker.update(gt[t]!.labels, toCityscapesLabels(tracked, (s) => s.trackId), seq.name);
    // No association: every thing segment of every frame is a new id (fits labelDivisor for ≤ 10 frames).
    const fresh = (s: Segment): number => 1 + t * 99 + (s.id % 99);
    for (const s of tracked.segments) if (isTrackedThing(s)) tracks.fresh.add(fresh(s));
    accs.fresh.update(gt[t]!.labels, toCityscapesLabels(tracked, fresh), seq.name);
    const gtFrame = gtToPanopticFrame(gt[t]!, { labelDivisor: DIVISOR, thingClasses: CITYSCAPES_THING_TRAIN_IDS, ignoreLabel: IGNORE, seq: t });
    const gtTracked = gtTracker.update(gtFrame);
    for (const s of gtTracked.segments) if (s.isThing) tracks.gt.add(s.trackId);
    accs.gt.update(gt[t]!.labels, trackedToLabels(gtTracked, DIVISOR, IGNORE * DIVISOR), seq.name);
  }
  const n = gt.length;
  return {
    rows: [
      row(seq.name, n, 'default model + tracker', accs.tracker, tracks.tracker),
      row(seq.name, n, 'default model, fresh ids every frame', accs.fresh, tracks.fresh),
      row(seq.name, n, 'tracker on GT segments (ids removed)', accs.gt, tracks.gt),
    ],
    modelMs: modelMs / n,
  };
}

export async function run(): Promise<void> {
  process.env.PANOPTIC_STREAM_MODELS ??= sharedModelsDir();
  const model = await loadModel('default', { executionProviders: ['cpu'] });
  try {
    const table: string[][] = [['sequence', 'frames', 'ids from', 'STQ', 'AQ', 'SQ (mIoU)', 'thing ids', 'model ms/frame (wall)']];
    for (const seq of sequences()) {
      const { rows, modelMs } = await evaluateSequence(model, seq);
      for (const r of rows) table.push([r.sequence, String(r.frames), r.what, r.stq.toFixed(4), r.aq.toFixed(4), r.sq.toFixed(4), String(r.thingTracks), r === rows[0] ? modelMs.toFixed(0) : '']);
    }
    const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
    for (const r of table) console.log(r.map((v, c) => v.padEnd(widths[c]!)).join('  '));
  } finally {
    await model.close();
  }
}
