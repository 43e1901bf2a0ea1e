/** Readers for the depth / panoptic ground truth of ../shared/data (cityscapes-dvps, kitti-step). */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadImage } from '../../../src/core/image.js';
import type { RgbImage } from '../../../src/core/types.js';
import { dataPath } from '../../helpers/fixtures.js';

export interface GtFrame {
  readonly name: string;
  readonly image: RgbImage;
  /** Metres, 0 = invalid. */
  readonly depth: Float32Array;
  /** Cityscapes trainId per pixel (255 = void). */
  readonly trainIds: Uint8Array;
}

async function grey16(path: string): Promise<Uint16Array> {
  const { data } = await sharp(path).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
  return new Uint16Array(data.buffer, data.byteOffset, data.length / 2);
}

/** Cityscapes-DVPS val sequence 0 (2048×1024): depth = uint16/256 m, panoptic = trainId·1000 + id. */
export async function cityscapesDvps(limit = 6): Promise<GtFrame[]> {
  const dir = dataPath('cityscapes-dvps', 'true');
  const names = readdirSync(dir).filter((f) => f.endsWith('_capture.png')).sort().slice(0, limit);
  return Promise.all(
    names.map(async (f) => {
      const stem = f.replace('_capture.png', '');
      const [image, d16, seg] = await Promise.all([loadImage(join(dir, f)), grey16(join(dir, `${stem}_depth.png`)), grey16(join(dir, `${stem}_segmentation.png`))]);
      const depth = Float32Array.from(d16, (v) => v / 256);
      const trainIds = Uint8Array.from(seg, (v) => {
        const c = Math.floor(v / 1000);
        return c < 19 ? c : 255;
      });
      return { name: `cityscapes-dvps/${stem}`, image, depth, trainIds };
    }),
  );
}

/** KITTI-STEP sequence 0001 (1242×375): float TIFF depth in metres, panoptic R = trainId. */
export async function kittiStep(limit = 9): Promise<GtFrame[]> {
  const dir = dataPath('kitti-step');
  const names = readdirSync(join(dir, 'depth', '0001')).filter((f) => f.endsWith('.tiff')).sort().slice(0, limit);
  return Promise.all(
    names.map(async (f) => {
      const stem = f.replace('.tiff', '');
      const image = await loadImage(join(dir, 'images', '0001', `${stem}.png`));
      const t = await sharp(join(dir, 'depth', '0001', f)).raw({ depth: 'float' } as never).toBuffer({ resolveWithObject: true });
      const all = new Float32Array(t.data.buffer, t.data.byteOffset, t.data.length / 4);
      const ch = t.info.channels;
      const depth = new Float32Array(t.info.width * t.info.height);
      for (let i = 0; i < depth.length; i++) depth[i] = all[i * ch]!;
      const pan = await sharp(join(dir, 'panoptic', '0001', `${stem}.png`)).raw().toBuffer({ resolveWithObject: true });
      const trainIds = new Uint8Array(depth.length);
      for (let i = 0; i < depth.length; i++) trainIds[i] = pan.data[i * pan.info.channels]! < 19 ? pan.data[i * pan.info.channels]! : 255;
      return { name: `kitti-step/0001/${stem}`, image, depth, trainIds };
    }),
  );
}
