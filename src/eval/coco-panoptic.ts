/**
 * COCO panoptic format I/O: a JSON file (`annotations[]` with `image_id`, `file_name`, `segments_info[]`
 * and `categories[]`) plus a directory of PNGs whose RGB encodes the segment id: id = R + 256·G + 256²·B.
 * Image pairing follows panopticapi: predictions are matched to GT annotations by `image_id`.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { ConfigError, errorMessage } from '../core/errors.js';
import { PqAccumulator, type PanopticImage, type PqCategory, type PqResult, type PqSegment } from './pq.js';

export interface CocoSegmentInfo {
  id: number;
  category_id: number;
  iscrowd?: number;
  area?: number;
  bbox?: [number, number, number, number];
}

export interface CocoPanopticAnnotation {
  image_id: number | string;
  file_name: string;
  segments_info: CocoSegmentInfo[];
}

export interface CocoCategory {
  id: number;
  name?: string;
  isthing: number;
  color?: [number, number, number];
  supercategory?: string;
}

export interface CocoPanopticJson {
  annotations: CocoPanopticAnnotation[];
  categories?: CocoCategory[];
  images?: unknown[];
}

/** id = R + 256·G + 256²·B of each pixel of an 8-bit RGB(A) PNG buffer. */
export function decodePanopticPng(buf: Buffer, field = 'png'): { width: number; height: number; ids: Uint32Array } {
  let png: PNG;
  try {
    png = PNG.sync.read(buf);
  } catch (err) {
    throw new ConfigError(field, `<${buf.length} bytes>`, `not a readable PNG: ${errorMessage(err)}`);
  }
  const { width, height, data } = png;
  const ids = new Uint32Array(width * height);
  for (let i = 0, o = 0; i < ids.length; i++, o += 4) ids[i] = data[o]! + 256 * data[o + 1]! + 65536 * data[o + 2]!;
  return { width, height, ids };
}

/** Encodes segment ids (< 256³) as a COCO panoptic RGB PNG. */
export function encodePanopticPng(ids: Int32Array | Uint32Array, width: number, height: number): Buffer {
  const png = new PNG({ width, height, colorType: 2, inputColorType: 6, inputHasAlpha: true });
  for (let i = 0, o = 0; i < width * height; i++, o += 4) {
    const id = ids[i]!;
    if (id < 0 || id >= 16777216) throw new ConfigError('ids', id, 'segment ids must be in [0, 256³)');
    png.data[o] = id & 255;
    png.data[o + 1] = (id >> 8) & 255;
    png.data[o + 2] = (id >> 16) & 255;
    png.data[o + 3] = 255;
  }
  return PNG.sync.write(png, { colorType: 2 });
}

export async function readPanopticJson(path: string, field: string): Promise<CocoPanopticJson> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(field, path, `not a readable JSON file: ${errorMessage(err)}`);
  }
  const j = json as Partial<CocoPanopticJson> | null;
  if (!j || !Array.isArray(j.annotations)) throw new ConfigError(`${field}.annotations`, path, 'expected an array of panoptic annotations');
  j.annotations.forEach((a, i) => {
    if (typeof a?.file_name !== 'string' || !Array.isArray(a.segments_info))
      throw new ConfigError(`${field}.annotations[${i}]`, a?.image_id, 'expected file_name and segments_info');
  });
  return j as CocoPanopticJson;
}

export function categoriesFromCoco(cats: readonly CocoCategory[]): PqCategory[] {
  return cats.map((c) => ({ id: c.id, isThing: c.isthing === 1, ...(c.name !== undefined ? { name: c.name } : {}) }));
}

/** Loads one annotation's PNG from `dir` as an in-memory {@link PanopticImage}. */
export async function loadPanopticImage(ann: CocoPanopticAnnotation, dir: string, field: string): Promise<PanopticImage> {
  const path = join(dir, ann.file_name);
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    throw new ConfigError(field, path, `cannot read the panoptic PNG: ${errorMessage(err)}`);
  }
  const { width, height, ids } = decodePanopticPng(buf, field);
  const segments: PqSegment[] = ann.segments_info.map((s) => ({
    id: s.id,
    categoryId: s.category_id,
    isCrowd: s.iscrowd === 1,
    ...(s.area !== undefined ? { area: s.area } : {}),
  }));
  return { width, height, ids, segments };
}

/** Writes predictions (or GT) in COCO panoptic format: `<dir>/<file_name>` PNGs and the JSON file. */
export async function writeCocoPanoptic(
  jsonPath: string,
  dir: string,
  items: readonly { imageId: number | string; fileName: string; image: PanopticImage }[],
  categories?: readonly CocoCategory[],
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const annotations: CocoPanopticAnnotation[] = [];
  for (const it of items) {
    await writeFile(join(dir, it.fileName), encodePanopticPng(it.image.ids, it.image.width, it.image.height));
    annotations.push({
      image_id: it.imageId,
      file_name: it.fileName,
      segments_info: it.image.segments.map((s) => ({ id: s.id, category_id: s.categoryId, iscrowd: s.isCrowd ? 1 : 0, ...(s.area !== undefined ? { area: s.area } : {}) })),
    });
  }
  await writeFile(jsonPath, JSON.stringify({ annotations, ...(categories ? { categories } : {}) }));
}

export interface CocoPqInput {
  gtJson: string;
  gtDir: string;
  predJson: string;
  predDir: string;
  /** Categories; default: the GT JSON's `categories` (as panopticapi). */
  categories?: readonly PqCategory[];
}

/** panopticapi's pq_compute on files: every GT annotation must have a prediction with the same image_id. */
export async function evaluateCocoPanoptic(input: CocoPqInput): Promise<PqResult> {
  const gt = await readPanopticJson(input.gtJson, '--gt-json');
  const pred = await readPanopticJson(input.predJson, '--pred-json');
  const categories = input.categories ?? (gt.categories ? categoriesFromCoco(gt.categories) : undefined);
  if (!categories) throw new ConfigError('--gt-json.categories', input.gtJson, 'the GT JSON has no categories');
  const predById = new Map(pred.annotations.map((a) => [String(a.image_id), a]));
  const acc = new PqAccumulator(categories);
  for (const g of gt.annotations) {
    const p = predById.get(String(g.image_id));
    if (!p) throw new ConfigError('--pred-json', input.predJson, `no prediction for image_id ${g.image_id}`);
    const gImg = await loadPanopticImage(g, input.gtDir, '--gt-dir');
    const pImg = await loadPanopticImage(p, input.predDir, '--pred-dir');
    acc.add(gImg, pImg, g.image_id);
  }
  return acc.result();
}
