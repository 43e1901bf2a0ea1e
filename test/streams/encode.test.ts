import { expect } from 'chai';
import jpeg from 'jpeg-js';
import wrtc from '@roamhq/wrtc';
import { ConfigError } from '../../src/core/errors.js';
import { loadImage } from '../../src/core/image.js';
import type { RgbImage } from '../../src/core/types.js';
import { I420Converter, i420Size, rgbToI420 } from '../../src/streams/encode/i420.js';
import { encodeFrameJpeg } from '../../src/streams/encode/jpeg.js';
import { dataPath } from '../helpers/fixtures.js';

/** Crops to even size so I420 applies. */
function evenCrop(img: RgbImage, w: number, h: number): RgbImage {
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) out.set(img.data.subarray(y * img.width * 3, y * img.width * 3 + w * 3), y * w * 3);
  return { width: w, height: h, data: out };
}

describe('streams/encode', () => {
  let photo: RgbImage;
  before(async () => {
    const full = await loadImage(dataPath('images', 'bus.jpg'));
    photo = evenCrop(full, 640, 480);
  });

  it('I420 matches @roamhq/wrtc rgbaToI420 (libyuv) exactly (tolerance 0)', () => {
    const { width: w, height: h } = photo;
    const rgba = new Uint8ClampedArray(w * h * 4);
    for (let i = 0; i < w * h; i++) {
      rgba[i * 4] = photo.data[i * 3]!;
      rgba[i * 4 + 1] = photo.data[i * 3 + 1]!;
      rgba[i * 4 + 2] = photo.data[i * 3 + 2]!;
      rgba[i * 4 + 3] = 255;
    }
    const ref = new Uint8ClampedArray(i420Size(w, h));
    wrtc.nonstandard.rgbaToI420({ width: w, height: h, data: rgba as unknown as Uint8Array }, { width: w, height: h, data: ref as unknown as Uint8Array });
    const ours = rgbToI420(photo).data;
    expect(ours.length).to.equal(ref.length);
    let maxDiff = 0;
    let sumDiff = 0;
    for (let i = 0; i < ours.length; i++) {
      const d = Math.abs(ours[i]! - ref[i]!);
      if (d > maxDiff) maxDiff = d;
      sumDiff += d;
    }
    // Same integer formula and the same two-step rounding of the 2×2 chroma mean as libyuv: no tolerance.
    expect(maxDiff, 'max |ours − libyuv|').to.equal(0);
    expect(sumDiff).to.equal(0);
  });

  it('I420 of pure colours hits the BT.601 limited-range values (±1)', () => {
    const cases: [[number, number, number], [number, number, number]][] = [
      [[0, 0, 0], [16, 128, 128]],
      [[255, 255, 255], [235, 128, 128]],
      [[255, 0, 0], [82, 90, 240]],
      [[0, 255, 0], [145, 54, 34]],
      [[0, 0, 255], [41, 240, 110]],
    ];
    for (const [rgb, [Y, U, V]] of cases) {
      const img = { width: 2, height: 2, data: new Uint8Array(12).map((_, i) => rgb[i % 3]!) };
      const d = rgbToI420(img).data;
      expect(Math.abs(d[0]! - Y), `Y of ${rgb.join(',')}: ${d[0]}`).to.be.at.most(1);
      expect(Math.abs(d[4]! - U), `U of ${rgb.join(',')}: ${d[4]}`).to.be.at.most(1);
      expect(Math.abs(d[5]! - V), `V of ${rgb.join(',')}: ${d[5]}`).to.be.at.most(1);
    }
  });

  it('I420 reuses a buffer and refuses odd sizes naming the field', () => {
    const conv = new I420Converter();
    const a = conv.convert(photo).data;
    expect(conv.convert(photo).data).to.equal(a);
    expect(() => rgbToI420({ width: 3, height: 2, data: new Uint8Array(18) })).to.throw(ConfigError, /image\.width.*even/);
    expect(() => rgbToI420({ width: 2, height: 2, data: new Uint8Array(11) })).to.throw(ConfigError, /image\.data\.length/);
  });

  it('JPEG decodes back to the frame (mean abs error < 4 levels at quality 90)', async () => {
    const buf = await encodeFrameJpeg(photo, { quality: 90 });
    expect(buf.subarray(0, 2).toString('hex')).to.equal('ffd8');
    const dec = jpeg.decode(buf, { useTArray: true, formatAsRGBA: false });
    expect([dec.width, dec.height]).to.deep.equal([photo.width, photo.height]);
    let sum = 0;
    for (let i = 0; i < photo.data.length; i++) sum += Math.abs(dec.data[i]! - photo.data[i]!);
    expect(sum / photo.data.length).to.be.below(4);
    await expectReject(encodeFrameJpeg(photo, { quality: 0 }), /quality 0/);
    await expectReject(encodeFrameJpeg({ width: 4, height: 4, data: new Uint8Array(5) }), /image\.data\.length/);
  });
});

async function expectReject(p: Promise<unknown>, re: RegExp): Promise<void> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as Error).message).to.match(re);
    return;
  }
  expect.fail(`expected rejection matching ${re}`);
}
