/**
 * Label I/O for video panoptic evaluation: STEP / KITTI-STEP panoptic PNGs (R = semantic trainId,
 * G·256 + B = track id), Cityscapes-DVPS `*_segmentation.png` (16-bit, trainId·1000 + id; class 32 is
 * void) and conversions between label maps and frames (ground truth → `PanopticFrame` with identities
 * removed, `TrackedFrame` → predicted label map).
 *
 * All label maps use `semantic · labelDivisor + instance`, instance 0 = stuff or crowd.
 */
import { readFile } from 'node:fs/promises';
import { PNG } from 'pngjs';
import { ConfigError, errorMessage } from '../core/errors.js';
import type { PanopticFrame, TrackedFrame } from '../core/types.js';
import { buildSegments, type SegmentInfo } from '../model/segments.js';

export interface LabelMap {
  width: number;
  height: number;
  labels: Int32Array;
}

/** Cityscapes trainIds of thing classes (person … bicycle). */
export const CITYSCAPES_THING_TRAIN_IDS: readonly number[] = [11, 12, 13, 14, 15, 16, 17, 18];
export const CITYSCAPES_NUM_CLASSES = 19;
/** Cityscapes-DVPS writes void as class 32 (255·1000 does not fit 16 bits); we map it to 255. */
export const DVPS_VOID_CLASS = 32;

async function readPng(path: string, field: string): Promise<ReturnType<typeof PNG.sync.read>> {
  try {
    return PNG.sync.read(await readFile(path), { skipRescale: true });
  } catch (err) {
    throw new ConfigError(field, path, `not a readable PNG: ${errorMessage(err)}`);
  }
}

function encode(sem: number, inst: number, labelDivisor: number, field: string, path: string): number {
  if (inst >= labelDivisor) throw new ConfigError(field, path, `instance id ${inst} does not fit labelDivisor ${labelDivisor}`);
  return sem * labelDivisor + inst;
}

/** Reads a STEP panoptic PNG (KITTI-STEP, MOTChallenge-STEP): R = semantic, G·256 + B = instance. */
export async function readStepPng(path: string, labelDivisor = 1000, field = 'gt'): Promise<LabelMap> {
  const png = await readPng(path, field);
  if (png.depth !== 8) throw new ConfigError(field, path, `expected an 8-bit RGB STEP PNG, got bit depth ${png.depth}`);
  const n = png.width * png.height;
  const labels = new Int32Array(n);
  const d = png.data;
  let last = -1;
  let lastLabel = 0;
  for (let i = 0; i < n; i++) {
    const key = (d[4 * i]! << 16) | (d[4 * i + 1]! << 8) | d[4 * i + 2]!;
    if (key !== last) {
      last = key;
      lastLabel = encode(key >>> 16, key & 0xffff, labelDivisor, field, path);
    }
    labels[i] = lastLabel;
  }
  return { width: png.width, height: png.height, labels };
}

/** Reads a Cityscapes-DVPS segmentation PNG (16-bit gray, trainId·1000 + id); void class 32 → `voidClass`. */
export async function readDvpsPng(path: string, labelDivisor = 1000, voidClass = 255, field = 'gt'): Promise<LabelMap> {
  const png = await readPng(path, field);
  if (png.depth !== 16) throw new ConfigError(field, path, `expected a 16-bit Cityscapes-DVPS segmentation PNG, got bit depth ${png.depth}`);
  const n = png.width * png.height;
  const labels = new Int32Array(n);
  const d = png.data as unknown as Uint16Array; // pngjs returns a Uint16Array for 16-bit images
  for (let i = 0; i < n; i++) {
    const v = d[4 * i]!;
    const sem = Math.floor(v / 1000);
    labels[i] = encode(sem === DVPS_VOID_CLASS ? voidClass : sem, v % 1000, labelDivisor, field, path);
  }
  return { width: png.width, height: png.height, labels };
}

export interface GtToFrameOptions {
  labelDivisor: number;
  thingClasses: readonly number[];
  ignoreLabel: number;
  /** Written as `frame.seq` (the tracker uses it as its clock). */
  seq: number;
}

/**
 * Ground truth → `PanopticFrame` with identities removed: each distinct label becomes a segment with a
 * fresh id (raster order of first appearance, so no track id leaks). Thing labels with instance > 0
 * are thing segments; crowd (thing class, instance 0) and stuff are stuff segments; ignore is void.
 */
export function gtToPanopticFrame(map: LabelMap, opts: GtToFrameOptions): PanopticFrame {
  const { width, height, labels } = map;
  const ids = new Int32Array(labels.length);
  const idOf = new Map<number, number>();
  const infos: SegmentInfo[] = [];
  const things = new Set(opts.thingClasses);
  let last = NaN;
  let lastId = 0;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (l !== last) {
      last = l;
      const sem = Math.floor(l / opts.labelDivisor);
      if (sem === opts.ignoreLabel) lastId = 0;
      else {
        let id = idOf.get(l);
        if (id === undefined) {
          id = idOf.size + 1;
          idOf.set(l, id);
          infos.push({ id, categoryId: sem, isThing: things.has(sem) && l % opts.labelDivisor > 0 });
        }
        lastId = id;
      }
    }
    ids[i] = lastId;
  }
  const segments = buildSegments(ids, width, height, infos);
  return {
    frame: { cameraId: 'eval', seq: opts.seq, ptsMs: 0, capturedAtMs: 0, width, height, format: 'rgb24', data: new Uint8Array(0) },
    width,
    height,
    ids,
    segments,
    timings: {},
  };
}

/**
 * TrackedFrame → predicted label map: `categoryId · labelDivisor + (thing ? trackId : 0)`; void pixels
 * (id 0 or an id without a segment) get `voidLabel`.
 */
export function trackedToLabels(frame: TrackedFrame, labelDivisor: number, voidLabel: number): Int32Array {
  let maxId = 0;
  for (const s of frame.segments) if (s.id > maxId) maxId = s.id;
  const lut = new Int32Array(maxId + 1).fill(voidLabel);
  for (const s of frame.segments) {
    if (s.isThing && s.trackId >= labelDivisor) throw new RangeError(`segments[id=${s.id}].trackId: ${s.trackId} does not fit labelDivisor ${labelDivisor}`);
    lut[s.id] = s.categoryId * labelDivisor + (s.isThing ? s.trackId : 0);
  }
  const out = new Int32Array(frame.ids.length);
  for (let i = 0; i < out.length; i++) {
    const id = frame.ids[i]!;
    out[i] = id > 0 && id <= maxId ? lut[id]! : voidLabel;
  }
  return out;
}
