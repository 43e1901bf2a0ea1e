/**
 * JPEG encoding of rendered frames (sharp/libvips, off the event loop in libuv's thread pool).
 * The input buffer must stay unchanged until the returned promise settles: the overlay renderer's
 * rotating output buffers guarantee that for one encode in flight per renderer.
 */
import { encodeJpeg } from '../../core/image.js';
import { ConfigError } from '../../core/errors.js';
import type { RgbImage } from '../../core/types.js';

export interface JpegOptions {
  /** JPEG quality 1–100. Default 80. */
  quality?: number;
}

/** Encodes an RGB24 image as a baseline JPEG (4:2:0). */
export async function encodeFrameJpeg(img: RgbImage, options: JpegOptions = {}): Promise<Buffer> {
  const quality = options.quality ?? 80;
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) throw new ConfigError('quality', quality, 'expected an integer in [1, 100]');
  if (!Number.isInteger(img.width) || !Number.isInteger(img.height) || img.width <= 0 || img.height <= 0)
    throw new ConfigError('image.width', [img.width, img.height], 'expected positive integer width and height');
  if (img.data.length !== img.width * img.height * 3) throw new ConfigError('image.data.length', img.data.length, `expected ${img.width * img.height * 3} bytes (RGB24)`);
  return encodeJpeg(img, quality);
}
