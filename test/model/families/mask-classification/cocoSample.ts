/** The two COCO val2017 panoptic GT images of ../shared/data/coco-panoptic-sample, loaded in memory. */
import { join } from 'node:path';
import { loadImage } from '../../../../src/core/image.js';
import type { RgbImage } from '../../../../src/core/types.js';
import { categoriesFromCoco, loadPanopticImage, readPanopticJson, type CocoCategory } from '../../../../src/eval/coco-panoptic.js';
import type { PanopticImage, PqCategory } from '../../../../src/eval/pq.js';
import { dataPath } from '../../../helpers/fixtures.js';

export interface CocoSample {
  readonly categories: CocoCategory[];
  readonly pqCategories: PqCategory[];
  readonly images: { name: string; image: RgbImage; gt: PanopticImage }[];
}

export async function loadCocoSample(): Promise<CocoSample> {
  const dir = dataPath('coco-panoptic-sample');
  const json = await readPanopticJson(join(dir, 'panoptic_examples.json'), 'gt');
  const categories = json.categories;
  if (!categories) throw new Error('panoptic_examples.json has no categories');
  const images = await Promise.all(
    json.annotations.map(async (ann) => ({
      name: ann.file_name,
      image: await loadImage(join(dir, 'input_images', ann.file_name.replace('.png', '.jpg'))),
      gt: await loadPanopticImage(ann, join(dir, 'panoptic_examples'), 'gt'),
    })),
  );
  return { categories, pqCategories: categoriesFromCoco(categories), images };
}
