import { expect } from 'chai';
import type { RegionMask } from '../../../../src/model/families/composite/decodeYoloSeg.js';
import { fusePanoptic } from '../../../../src/model/families/composite/fusePanoptic.js';

const W = 20;
const H = 10;
/** A filled rectangle mask [x0, x1) × [y0, y1) stored over its own region. */
function rect(x0: number, y0: number, x1: number, y1: number): RegionMask {
  return { left: x0, top: y0, width: x1 - x0, height: y1 - y0, data: new Uint8Array((x1 - x0) * (y1 - y0)).fill(1) };
}
const count = (ids: Int32Array, id: number): number => ids.reduce((n, v) => n + (v === id ? 1 : 0), 0);

describe('fusePanoptic', () => {
  it('paints things by descending score; a later instance keeps only free pixels', () => {
    const res = fusePanoptic(W, H, [
      { categoryId: 3, score: 0.6, mask: rect(4, 0, 10, 10) }, // 60 px, 20 overlap with the person
      { categoryId: 1, score: 0.9, mask: rect(0, 0, 6, 10) }, // 60 px, painted first
    ], undefined);
    expect(res.infos.map((s) => [s.id, s.categoryId])).to.deep.equal([[1, 1], [2, 3]]);
    expect(count(res.ids, 1)).to.equal(60);
    expect(count(res.ids, 2)).to.equal(40);
    expect(res.ids[5]).to.equal(1); // overlap pixel belongs to the better instance
  });

  it('drops an instance when less than minKeptRatio of its mask remains', () => {
    const instances = [
      { categoryId: 1, score: 0.9, mask: rect(0, 0, 10, 10) },
      { categoryId: 1, score: 0.5, mask: rect(6, 0, 12, 10) }, // 60 px, 20 free → 1/3 kept
    ];
    expect(fusePanoptic(W, H, instances, undefined).infos).to.have.length(1); // default 0.5
    const lenient = fusePanoptic(W, H, instances, undefined, { minKeptRatio: 0.3 });
    expect(lenient.infos).to.have.length(2);
    expect(count(lenient.ids, 2)).to.equal(20);
    expect(fusePanoptic(W, H, instances, undefined, { minInstanceScore: 0.6 }).infos).to.have.length(1);
  });

  it('fills stuff outside things, leaves void (negative) semantic pixels and small stuff void', () => {
    const semantic = new Int32Array(W * H);
    for (let i = 0; i < W * H; i++) semantic[i] = i < W * 5 ? 1010 : 1000; // top half sky, bottom road
    semantic[W * 9 + 19] = -1; // a pixel of a semantic "thing" class → void unless an instance covers it
    for (let i = 0; i < 3; i++) semantic[W * 9 + 10 + i] = 1008; // 3 px of vegetation: below the area threshold
    const res = fusePanoptic(W, H, [{ categoryId: 1, score: 0.9, mask: rect(0, 0, 4, 10) }], semantic, { minStuffAreaFraction: 0.02 });
    expect(res.infos.map((s) => [s.categoryId, s.isThing])).to.deep.equal([[1, true], [1000, false], [1010, false]]);
    expect(count(res.ids, 1)).to.equal(40);
    expect(count(res.ids, 3)).to.equal(16 * 5); // sky: 16 columns × 5 rows outside the person
    expect(count(res.ids, 2)).to.equal(16 * 5 - 1 - 3); // road minus the void pixel and the dropped vegetation
    expect(res.ids[W * 9 + 19]).to.equal(0);
    expect(res.ids[W * 9 + 11]).to.equal(0);
  });

  it('clips masks that reach outside the frame', () => {
    const res = fusePanoptic(W, H, [{ categoryId: 2, score: 0.7, mask: rect(15, 5, 25, 15) }], undefined);
    expect(count(res.ids, 1)).to.equal(25);
  });
});
