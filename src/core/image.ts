/** Image file I/O for CLI commands, evaluation and snapshots (sharp/libvips underneath). */
import sharp from 'sharp';
import { ConfigError, errorMessage } from './errors.js';
import type { RgbImage } from './types.js';

/** Decodes any image file (PNG, JPEG, BMP via ffmpeg is not needed here; WebP, TIFF, GIF frame 0) to RGB24. */
export async function loadImage(pathOrBuffer: string | Buffer, field = 'image'): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(pathOrBuffer).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`expected 3 channels, got ${info.channels}`);
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (err) {
    throw new ConfigError(field, typeof pathOrBuffer === 'string' ? pathOrBuffer : `<${pathOrBuffer.length} bytes>`, `not a readable image: ${errorMessage(err)}`);
  }
}

/** Decodes an image file keeping its raw channels (e.g. 16-bit depth PNGs, RGB-encoded panoptic PNGs). */
export async function loadRaw(path: string): Promise<{ width: number; height: number; channels: number; depth: string; data: Buffer }> {
  const { data, info } = await sharp(path).raw({ depth: undefined }).toBuffer({ resolveWithObject: true });
  const meta = await sharp(path).metadata();
  return { width: info.width, height: info.height, channels: info.channels, depth: meta.depth ?? 'uchar', data };
}

export async function encodePng(img: RgbImage): Promise<Buffer> {
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: 3 } })
    .png({ compressionLevel: 3 })
    .toBuffer();
}

export async function encodeJpeg(img: RgbImage, quality = 80): Promise<Buffer> {
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: 3 } })
    .jpeg({ quality, chromaSubsampling: '4:2:0' })
    .toBuffer();
}
