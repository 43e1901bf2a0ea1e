import { expect } from 'chai';
import type { RgbImage } from '../../src/core/types.js';
import { InputSpecSchema, type InputSpecInput } from '../../src/model/manifest.js';
import { Preprocessor, computeTransform, rescaleTransform, floatToSource, labelsToSource, modelToSource, sourceToModel } from '../../src/model/preprocess.js';

const spec = (s: Partial<InputSpecInput> & { width: number; height: number }) => InputSpecSchema.parse({ name: 'x', ...s });

function image(width: number, height: number, f: (x: number, y: number, c: number) => number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = f(x, y, c);
  return { width, height, data };
}

describe('model/preprocess', () => {
  it('same-size stretch NCHW float32 is pixel·scale exactly (tolerance 1e-6)', () => {
    const img = image(5, 4, (x, y, c) => (x * 40 + y * 7 + c * 50) % 256);
    const p = new Preprocessor(spec({ width: 5, height: 4 }));
    const { tensor, transforms } = p.run([img]);
    expect(tensor.dims).to.deep.equal([1, 3, 4, 5]);
    expect(transforms[0]).to.include({ scaleX: 1, scaleY: 1, padX: 0, padY: 0 });
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 4; y++)
        for (let x = 0; x < 5; x++) expect(tensor.data[c * 20 + y * 5 + x] as number).to.be.closeTo(img.data[(y * 5 + x) * 3 + c]! / 255, 1e-6);
  });

  it('NHWC, BGR, mean/std and uint8 layouts', () => {
    const img = image(3, 2, (x, y, c) => 10 * (y * 3 + x) + c);
    const f = new Preprocessor(spec({ width: 3, height: 2, layout: 'NHWC', channelOrder: 'BGR', scale: 1, mean: [1, 2, 3], std: [2, 4, 8] }));
    const d = f.run([img]).tensor.data as Float32Array;
    // pixel (x=1,y=1): RGB = 40,41,42 → BGR order, normalised per source channel
    const o = (1 * 3 + 1) * 3;
    expect(d[o]).to.be.closeTo((42 - 3) / 8, 1e-6);
    expect(d[o + 1]).to.be.closeTo((41 - 2) / 4, 1e-6);
    expect(d[o + 2]).to.be.closeTo((40 - 1) / 2, 1e-6);
    const u = new Preprocessor(spec({ width: 3, height: 2, dtype: 'uint8', layout: 'NHWC' })).run([img]).tensor;
    expect(u.type).to.equal('uint8');
    expect([...u.data]).to.deep.equal([...img.data]);
  });

  it('letterbox geometry matches Ultralytics for 768×432 → 640×640 and pads with padValue', () => {
    const t = computeTransform(768, 432, 640, 640, 'letterbox');
    expect(t).to.include({ contentWidth: 640, contentHeight: 360, padX: 0, padY: 140, srcWidth: 768, srcHeight: 432, dstWidth: 640, dstHeight: 640 });
    expect(t.scale).to.be.closeTo(640 / 768, 1e-12);
    const [mx, my] = sourceToModel(384, 216, t);
    expect(mx).to.be.closeTo(320, 1e-9);
    expect(my).to.be.closeTo(320, 1e-9);
    const [sx, sy] = modelToSource(mx, my, t);
    expect(sx).to.be.closeTo(384, 1e-9);
    expect(sy).to.be.closeTo(216, 1e-9);
    const img = image(768, 432, () => 200);
    const { tensor } = new Preprocessor(spec({ width: 640, height: 640, resize: 'letterbox', padValue: 114 })).run([img]);
    const d = tensor.data as Float32Array;
    expect(d[0]).to.be.closeTo(114 / 255, 1e-6); // top pad
    expect(d[640 * 639 + 5]).to.be.closeTo(114 / 255, 1e-6); // bottom pad
    expect(d[640 * 320 + 320]).to.be.closeTo(200 / 255, 1e-6); // content
    expect(d[2 * 640 * 640 + 640 * 139]).to.be.closeTo(114 / 255, 1e-6);
    expect(d[2 * 640 * 640 + 640 * 140]).to.be.closeTo(200 / 255, 1e-6);
  });

  it('pad-bottom-right keeps the content at the origin', () => {
    const t = computeTransform(100, 50, 64, 64, 'pad-bottom-right');
    expect(t).to.include({ padX: 0, padY: 0, contentWidth: 64, contentHeight: 32 });
  });

  it('bilinear downscale of a horizontal ramp is exact at half-pixel centres (tolerance 1e-4)', () => {
    // value = 2x: a 2× downscale samples at source x = 2d + 0.5 → value 4d + 1.
    const img = image(64, 8, (x) => 2 * x);
    const { tensor } = new Preprocessor(spec({ width: 32, height: 4, scale: 1 })).run([img]);
    const d = tensor.data as Float32Array;
    for (let x = 0; x < 32; x++) expect(d[32 + x]).to.be.closeTo(4 * x + 1, 1e-4);
  });

  it('batches several images of different sizes into one tensor and reuses its buffer', () => {
    const p = new Preprocessor(spec({ width: 8, height: 8, resize: 'letterbox' }));
    const a = image(16, 8, () => 255);
    const b = image(4, 8, () => 0);
    const r1 = p.run([a, b]);
    expect(r1.tensor.dims).to.deep.equal([2, 3, 8, 8]);
    expect(r1.transforms.map((t) => [t.contentWidth, t.contentHeight, t.padX, t.padY])).to.deep.equal([[8, 4, 0, 2], [4, 8, 2, 0]]);
    const r2 = p.run([b]);
    expect(r2.tensor.data.buffer).to.equal(r1.tensor.data.buffer);
  });

  it('labelsToSource inverts the letterbox (nearest) and floatToSource reproduces a linear ramp (tolerance 1e-3)', () => {
    const t = computeTransform(40, 20, 32, 32, 'letterbox'); // content 32×16, padY 8
    expect(t.padY).to.equal(8);
    // model-space label map at half resolution (16×16): label = column index of the source quarter
    const map = new Int32Array(16 * 16);
    for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) map[y * 16 + x] = y < 4 || y >= 12 ? -1 : x >> 2;
    const ids = labelsToSource(map, 16, 16, t);
    expect(ids.length).to.equal(40 * 20);
    for (let y = 0; y < 20; y++) for (let x = 0; x < 40; x++) expect(ids[y * 40 + x]).to.equal(Math.floor(x / 10));
    // float ramp over model x (value = model-input x coordinate at map pixel centres)
    const ramp = new Float32Array(16 * 16);
    for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) ramp[y * 16 + x] = (x + 0.5) * 2;
    const back = floatToSource(ramp, 16, 16, t, { valueScale: [1 / t.scaleX] });
    for (let x = 2; x < 38; x++) expect(back[5 * 40 + x]).to.be.closeTo(x + 0.5, 1e-3);
  });

  it("reads a frame's scaled copy when large enough; transforms still refer to the full frame", () => {
    const spec640 = spec({ width: 64, height: 64, resize: 'letterbox', padValue: 114 });
    const scaled = image(64, 36, (x, y, c) => (x * 3 + y * 5 + c) % 256);
    const full = { ...image(128, 72, () => 7), scaled }; // full-res pixels differ on purpose
    const a = new Preprocessor(spec640).run([full]);
    const b = new Preprocessor(spec640).run([scaled]);
    expect([...a.tensor.data]).to.deep.equal([...b.tensor.data]); // read from the scaled copy
    const t = a.transforms[0]!;
    expect(t).to.deep.equal(rescaleTransform(b.transforms[0]!, 128, 72));
    expect(t).to.include({ srcWidth: 128, srcHeight: 72, scaleX: 0.5, scaleY: 0.5, padY: 14 });
    expect(modelToSource(32, 32, t)).to.deep.equal([64, 36]);
    expect(labelsToSource(new Int32Array(64 * 64).fill(3), 64, 64, t).length).to.equal(128 * 72);
    // a scaled copy smaller than the model needs is ignored: the full frame is read
    const small = { ...image(128, 72, () => 7), scaled: image(32, 18, () => 200) };
    const c = new Preprocessor(spec640).run([small]);
    expect(c.tensor.data[64 * 32 + 32]).to.be.closeTo(7 / 255, 1e-6);
    expect(c.transforms[0]).to.include({ srcWidth: 128, scaleX: 0.5 });
  });

  it('rejects a buffer too short for its size, naming the field', () => {
    const p = new Preprocessor(spec({ width: 4, height: 4 }));
    expect(() => p.run([{ width: 4, height: 4, data: new Uint8Array(10) }])).to.throw(/image\.data.*10/);
  });
});
