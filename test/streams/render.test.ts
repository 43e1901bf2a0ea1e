import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../src/core/errors.js';
import { encodePng, loadImage } from '../../src/core/image.js';
import { depthRange, depthToLut, trackColor, TURBO_LUT } from '../../src/streams/render/colormap.js';
import { drawText, FONT_5X7, glyphBit, textWidth } from '../../src/streams/render/font.js';
import { OverlayRenderer, renderOverlay } from '../../src/streams/render/overlay.js';
import { artifactDir, dataPath } from '../helpers/fixtures.js';
import { CATEGORIES, solidImage, syntheticTracked } from './synthetic.js';

const px = (img: { width: number; data: Uint8Array }, x: number, y: number): number[] => {
  const o = (y * img.width + x) * 3;
  return [img.data[o]!, img.data[o + 1]!, img.data[o + 2]!];
};

describe('streams/render/font', () => {
  it('has 95 distinct printable ASCII glyphs, only space is blank', () => {
    expect(FONT_5X7.length).to.equal(95 * 5);
    const seen = new Set<string>();
    for (let c = 0x20; c <= 0x7e; c++) {
      const key = Array.from(FONT_5X7.subarray((c - 0x20) * 5, (c - 0x20) * 5 + 5)).join(',');
      if (c !== 0x20) expect(key, String.fromCharCode(c)).to.not.equal('0,0,0,0,0');
      seen.add(key);
    }
    expect(seen.size).to.equal(95);
  });

  it('draws "A" as the classic 5×7 shape and clips at the panel edge', () => {
    // Expected rows of 'A' (columns 0x7e,0x11,0x11,0x11,0x7e with bit 0 at the top).
    const rows = ['.###.', '#...#', '#...#', '#...#', '#####', '#...#', '#...#'];
    for (let r = 0; r < 7; r++) for (let c = 0; c < 5; c++) expect(glyphBit(65, c, r), `row ${r} col ${c}`).to.equal(rows[r]![c] === '#');
    const canvas = { data: new Uint8Array(8 * 9 * 3), strideBytes: 8 * 3, x0: 0, width: 8, height: 9 };
    drawText(canvas, 'AA', 1, 1, [255, 0, 0]);
    const lit = (x: number, y: number): boolean => canvas.data[(y * 8 + x) * 3] === 255;
    expect(lit(1, 1)).to.equal(false); // top-left of 'A' is blank
    expect(lit(2, 1)).to.equal(true);
    expect(lit(1, 5)).to.equal(true); // crossbar
    expect(lit(7, 2)).to.equal(true); // second 'A' starts at x = 1 + 6 = 7, left leg on row 1 of the glyph
    expect(textWidth('AA')).to.equal(11);
    expect(textWidth('AA', 2)).to.equal(22);
  });
});

describe('streams/render/colormap', () => {
  it('Turbo LUT runs dark blue → green/yellow → dark red in small steps', () => {
    const at = (i: number): number[] => [TURBO_LUT[i * 3]!, TURBO_LUT[i * 3 + 1]!, TURBO_LUT[i * 3 + 2]!];
    const [r0, g0, b0] = at(8); // the polynomial is darker than the reference Turbo in its first ~2 %
    expect(at(0).reduce((a, b) => a + b)).to.be.lessThan(120);
    expect(b0).to.be.greaterThan(r0!);
    expect(b0).to.be.greaterThan(g0!);
    const [r1, g1, b1] = at(255);
    expect(r1).to.be.greaterThan(g1! + 50);
    expect(r1).to.be.greaterThan(b1! + 50);
    const [, gm] = at(128);
    expect(gm).to.be.greaterThan(200);
    for (let i = 1; i < 256; i++) for (let c = 0; c < 3; c++) expect(Math.abs(TURBO_LUT[i * 3 + c]! - TURBO_LUT[(i - 1) * 3 + c]!), `step ${i}`).to.be.at.most(14);
  });

  it('track colours are stable and well spread', () => {
    expect(trackColor(42)).to.deep.equal(trackColor(42));
    const set = new Set<string>();
    for (let id = 1; id <= 200; id++) set.add(trackColor(id).join(','));
    expect(set.size).to.be.at.least(195);
    // Consecutive ids must not look alike (sum of channel differences ≥ 40 for ≥ 90% of pairs).
    let close = 0;
    for (let id = 1; id < 200; id++) {
      const a = trackColor(id);
      const b = trackColor(id + 1);
      if (Math.abs(a[0] - b[0]) + Math.abs(a[1] - b[1]) + Math.abs(a[2] - b[2]) < 40) close++;
    }
    expect(close).to.be.lessThan(20);
  });

  it('depth range uses percentiles (outliers ignored) and knows which end is near', () => {
    const d = new Float32Array(10000);
    for (let i = 0; i < d.length; i++) d[i] = 1 + (9 * i) / (d.length - 1); // 1..10 m uniform
    d[0] = 1000; // outlier
    d[1] = NaN;
    const r = depthRange(d, 'metric', 2, 98, 1)!;
    // 2nd/98th percentiles of U(1,10) are 1.18 and 9.82; histogram bins are (1000-1)/1024 ≈ 1 m wide
    // because of the outlier, so allow one bin of error.
    expect(r.near).to.be.closeTo(1.18, 1.0);
    expect(r.far).to.be.closeTo(9.82, 1.0);
    expect(r.near).to.be.lessThan(r.far);
    const inv = depthRange(d, 'relative-inverse', 2, 98, 1)!;
    expect(inv.near).to.be.greaterThan(inv.far);
    expect(depthToLut(r.near, r)).to.be.at.least(254); // 255 up to float rounding
    expect(depthToLut(r.far, r)).to.equal(0);
    expect(depthToLut(NaN, r)).to.equal(0);
    expect(depthRange(new Float32Array([NaN, NaN]), 'metric')).to.equal(undefined);
  });
});

describe('streams/render/overlay', () => {
  const W = 40;
  const H = 30;
  const rects = [
    { id: 2, categoryId: 100, isThing: false, trackId: 1, rect: [0, 15, 40, 15] as [number, number, number, number] },
    { id: 1, categoryId: 1, isThing: true, trackId: 7, rect: [10, 10, 10, 12] as [number, number, number, number] },
  ];

  it('tints things by track colour and stuff by class colour with exact alpha blending', () => {
    const img = solidImage(W, H, [100, 100, 100]);
    const tracked = syntheticTracked(W, H, rects);
    const out = renderOverlay(img, tracked, CATEGORIES, { alpha: 0.5, boundaries: false, labels: false });
    const blend = (c: number): number => (100 * 128 + c * 128 + 128) >> 8; // exact integer blend, no tolerance
    const t = trackColor(7);
    expect(px(out, 15, 16)).to.deep.equal(t.map(blend));
    expect(px(out, 30, 25)).to.deep.equal([128, 64, 128].map(blend));
    expect(px(out, 30, 5)).to.deep.equal([100, 100, 100]); // void keeps the video
    const opaque = renderOverlay(img, tracked, CATEGORIES, { alpha: 1, boundaries: false, labels: false });
    expect(px(opaque, 15, 16)).to.deep.equal(t);
  });

  it('draws 1-px boundaries where the id differs from the right or bottom neighbour', () => {
    const img = solidImage(W, H, [0, 0, 0]);
    const tracked = syntheticTracked(W, H, rects);
    const out = renderOverlay(img, tracked, CATEGORIES, { alpha: 0, labels: false, boundaryColor: [255, 255, 0] });
    expect(px(out, 9, 12)).to.deep.equal([255, 255, 0]); // void pixel left of the thing
    expect(px(out, 19, 12)).to.deep.equal([255, 255, 0]); // last thing column (right neighbour void)
    expect(px(out, 10, 12)).to.deep.equal([0, 0, 0]); // first thing column: right neighbour is the same thing
    expect(px(out, 15, 14)).to.deep.equal([0, 0, 0]); // row 14: void above stuff? no: x=15 is inside the thing
    expect(px(out, 30, 14)).to.deep.equal([255, 255, 0]); // void row above the stuff
    expect(px(out, 30, 20)).to.deep.equal([0, 0, 0]);
  });

  it('labels each thing above its box with class, track id and depth', () => {
    const W2 = 120;
    const H2 = 60;
    const depth = new Float32Array(W2 * H2).fill(3.4);
    const tracked = syntheticTracked(W2, H2, [{ id: 1, categoryId: 1, isThing: true, trackId: 7, rect: [20, 30, 30, 20] }], { depth, depthKind: 'metric' });
    const img = solidImage(W2, H2, [0, 0, 0]);
    const out = renderOverlay(img, tracked, CATEGORIES, { alpha: 0, boundaries: false });
    // "person #7 3.4m" = 14 chars → 83 px wide, 7 px tall, top at 30 - 7 - 2 = 21.
    let white = 0;
    let whiteOutside = 0;
    for (let y = 0; y < H2; y++)
      for (let x = 0; x < W2; x++) {
        const [r, g, b] = px(out, x, y);
        if (r === 255 && g === 255 && b === 255) {
          if (x >= 20 && x < 20 + 83 && y >= 21 && y < 28) white++;
          else whiteOutside++;
        }
      }
    expect(white).to.be.greaterThan(80);
    expect(whiteOutside).to.equal(0);
    const noLabels = renderOverlay(img, tracked, CATEGORIES, { alpha: 0, boundaries: false, labels: false });
    expect(noLabels.data.every((v) => v === 0)).to.equal(true);
  });

  it('renders depth with Turbo (near = red end) and side-by-side as overlay | depth', () => {
    const depth = new Float32Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) depth[y * W + x] = 1 + x; // near on the left
    const tracked = syntheticTracked(W, H, rects, { depth, depthKind: 'metric' });
    const img = solidImage(W, H, [50, 60, 70]);
    const r = new OverlayRenderer(CATEGORIES, { outputBuffers: 3 });
    const d = r.render(img, tracked, { mode: 'depth' });
    expect(px(d, 0, 0)).to.deep.equal(Array.from(TURBO_LUT.subarray(255 * 3, 256 * 3)));
    expect(px(d, W - 1, 0)).to.deep.equal(Array.from(TURBO_LUT.subarray(0, 3)));
    const o = r.render(img, tracked, { mode: 'overlay' });
    const s = r.render(img, tracked, { mode: 'side-by-side' });
    expect([s.width, s.height]).to.deep.equal([2 * W, H]);
    for (let y = 0; y < H; y++) {
      expect(Array.from(s.data.subarray(y * 2 * W * 3, y * 2 * W * 3 + W * 3)), `left row ${y}`).to.deep.equal(Array.from(o.data.subarray(y * W * 3, (y + 1) * W * 3)));
      expect(Array.from(s.data.subarray(y * 2 * W * 3 + W * 3, (y + 1) * 2 * W * 3)), `right row ${y}`).to.deep.equal(Array.from(d.data.subarray(y * W * 3, (y + 1) * W * 3)));
    }
    // Without depth, auto side-by-side is raw | overlay.
    const noDepth = syntheticTracked(W, H, rects);
    const s2 = r.render(img, noDepth, { mode: 'side-by-side' });
    expect(Array.from(s2.data.subarray(0, W * 3))).to.deep.equal(Array.from(img.data.subarray(0, W * 3)));
    const raw = r.render(img, noDepth, { mode: 'raw' });
    expect(Array.from(raw.data)).to.deep.equal(Array.from(img.data));
  });

  it('reuses its output buffers in rotation', () => {
    const img = solidImage(W, H, [1, 2, 3]);
    const tracked = syntheticTracked(W, H, rects);
    const r = new OverlayRenderer(CATEGORIES, { outputBuffers: 2 });
    const a = r.render(img, tracked).data;
    const b = r.render(img, tracked).data;
    const c = r.render(img, tracked).data;
    expect(a).to.not.equal(b);
    expect(c).to.equal(a);
  });

  it('refuses bad inputs and options naming the field', () => {
    const img = solidImage(W, H, [0, 0, 0]);
    const tracked = syntheticTracked(W + 2, H, rects);
    expect(() => renderOverlay(img, tracked, CATEGORIES)).to.throw(ConfigError, /tracked\.width/);
    expect(() => renderOverlay({ ...img, data: img.data.subarray(3) }, syntheticTracked(W, H, rects), CATEGORIES)).to.throw(ConfigError, /image\.data\.length/);
    expect(() => new OverlayRenderer(CATEGORIES, { alpha: 2 })).to.throw(ConfigError, /alpha 2/);
    expect(() => new OverlayRenderer(CATEGORIES, { mode: 'fancy' as 'raw' })).to.throw(ConfigError, /mode "fancy"/);
    expect(() => new OverlayRenderer(CATEGORIES, { labelScale: 0 })).to.throw(ConfigError, /labelScale/);
  });

  it('renders a real photo side by side (artifact for eyeballing)', async () => {
    const img = await loadImage(dataPath('images', 'bus.jpg'));
    const { width: w, height: h } = img;
    const depth = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) depth[y * w + x] = 2 + (30 * (h - y)) / h; // nearer at the bottom
    const tracked = syntheticTracked(
      w,
      h,
      [
        { id: 3, categoryId: 100, isThing: false, trackId: 2, rect: [0, Math.round(h * 0.75), w, h] },
        { id: 2, categoryId: 3, isThing: true, trackId: 12, rect: [20, 230, 780, 520] },
        { id: 1, categoryId: 1, isThing: true, trackId: 11, rect: [50, 400, 190, 500] },
      ],
      { depth, depthKind: 'metric' },
    );
    const out = renderOverlay(img, tracked, CATEGORIES, { mode: 'side-by-side', labelScale: 2 });
    expect(out.width).to.equal(2 * w);
    writeFileSync(join(artifactDir('streams-render'), 'bus-side-by-side.png'), await encodePng(out));
  });
});
