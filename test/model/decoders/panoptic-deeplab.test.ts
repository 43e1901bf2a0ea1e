import { expect } from 'chai';
import { ConfigError } from '../../../src/core/errors.js';
import { evaluatePq } from '../../../src/eval/pq.js';
import { decodePanopticDeepLab, DEFAULT_PANOPTIC_DEEPLAB_PARAMS, findInstanceCenters } from '../../../src/model/decoders/panoptic-deeplab.js';
import type { DecoderClasses } from '../../../src/model/decoders/types.js';
import { blurred, gtTensors, loadCityscapesSample, loadCocoSamples, resizeGt, withGaussianNoise, type GtSample } from '../../helpers/gt-tensors.js';

// Heads are at 1/4 (COCO) or full/half (Cityscapes 256×128) resolution: stuff_area 2048 is detectron2's
// value for 1024×2048 Cityscapes, so the tests use 1 (every GT stuff segment is kept).
const P = { ...DEFAULT_PANOPTIC_DEEPLAB_PARAMS, stuffArea: 1 };

function pqOf(gts: GtSample[], decode: (g: GtSample, i: number) => ReturnType<typeof decodePanopticDeepLab>): number {
  return 100 * evaluatePq(gts.map((g, i) => ({ gt: g, pred: decode(g, i) })), gts[0]!.categories).all.pq;
}

describe('model/decoders/panoptic-deeplab', function () {
  this.timeout(60_000);
  let coco4: GtSample[];
  before(() => {
    coco4 = loadCocoSamples().map((g) => resizeGt(g, Math.round(g.width / 4), Math.round(g.height / 4)));
  });

  it('decodes clean GT-derived tensors back to the GT: PQ ≥ 99.5 at every supported resolution', () => {
    const cs = loadCityscapesSample();
    const sets: [string, GtSample[]][] = [
      ['COCO 1/4', coco4],
      ['COCO 1/2', loadCocoSamples().map((g) => resizeGt(g, Math.round(g.width / 2), Math.round(g.height / 2)))],
      ['Cityscapes 1/1', [cs]],
      ['Cityscapes 1/2', [resizeGt(cs, 128, 64)]],
    ];
    for (const [name, gts] of sets) {
      const t = gts.map((g) => gtTensors(g));
      expect(pqOf(gts, (g, i) => decodePanopticDeepLab({ ...t[i]!, width: g.width, height: g.height }, g.classes, P)), name).to.be.at.least(99.5);
    }
  });

  it('degrades gracefully with offset jitter and blurred heatmaps (COCO 1/4, measured curves ± 1.5)', () => {
    const t = coco4.map((g) => gtTensors(g));
    const jitter = [0, 1, 2, 4];
    const jitterPq = [100, 99.47, 96.47, 88.15];
    const pj = jitter.map((s) => pqOf(coco4, (g, i) => decodePanopticDeepLab({ ...t[i]!, offsets: withGaussianNoise(t[i]!.offsets, s, 21 + i), width: g.width, height: g.height }, g.classes, P)));
    const blur = [0, 1, 2, 4];
    const blurPq = [100, 99.75, 97.0, 84.96];
    const pb = blur.map((s) => pqOf(coco4, (g, i) => decodePanopticDeepLab({ ...t[i]!, center: s ? blurred(t[i]!.center, g.width, g.height, s) : t[i]!.center, width: g.width, height: g.height }, g.classes, P)));
    pj.forEach((v, k) => expect(v, `offset σ=${jitter[k]}`).to.be.closeTo(jitterPq[k]!, 1.5));
    pb.forEach((v, k) => expect(v, `blur σ=${blur[k]}`).to.be.closeTo(blurPq[k]!, 1.5));
    for (let k = 1; k < 4; k++) {
      expect(pj[k]!).to.be.at.most(pj[k - 1]! + 0.5);
      expect(pb[k]!).to.be.at.most(pb[k - 1]! + 0.5);
    }
  });

  it('thresholds (≤ 0.1 suppressed), max-pool NMS keeps equal maxima, top-k keeps only scores > k-th', () => {
    const w = 12, h = 5;
    const c = new Float32Array(w * h);
    c[2 * w + 1] = 0.9; // centre
    c[2 * w + 2] = 0.5; // suppressed by NMS (neighbour of 0.9)
    c[2 * w + 6] = 0.1; // ≤ threshold
    c[0 * w + 10] = 0.7; // two equal maxima 2 px apart: both kept (keep == pooled)
    c[2 * w + 10] = 0.7;
    expect(findInstanceCenters(c, w, h, 0.1, 3, 200)).to.deep.equal([10, 2 * w + 1, 2 * w + 10]);
    // Kernel 7 does not change equality of the two 0.7 peaks, but 0.9 now suppresses nothing else.
    expect(findInstanceCenters(c, w, h, 0.1, 7, 200)).to.deep.equal([10, 2 * w + 1, 2 * w + 10]);
    // top_k = 2 with 3 centres: detectron2 keeps scores > 2nd best (0.7), i.e. only 0.9.
    expect(findInstanceCenters(c, w, h, 0.1, 3, 2)).to.deep.equal([2 * w + 1]);
    expect(findInstanceCenters(c, w, h, 0.1, 3, 3)).to.deep.equal([2 * w + 1]);
    expect(findInstanceCenters(c, w, h, 0.1, 3, 4)).to.have.length(3);
  });

  // 10×4 frame, classes: stuff 7, things 1 and 2.
  const classes: DecoderClasses = { categoryIds: [7, 1, 2], isThing: [false, true, true] };
  function frame(): { semantic: Float32Array; center: Float32Array; offsets: Float32Array; width: number; height: number } {
    const w = 10, h = 4, n = w * h;
    const semantic = new Float32Array(3 * n), center = new Float32Array(n), offsets = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      const x = i % w;
      const c = x < 4 ? 1 : x < 8 ? 2 : 0; // things at x 0–3 (class 1) and 4–7 (class 2, one class-1 pixel), stuff x 8–9
      semantic[(i === 5 ? 1 : c) * n + i] = 3;
    }
    center[1 * w + 1] = 0.8; // centre A at (y 1, x 1)
    center[2 * w + 6] = 0.6; // centre B at (y 2, x 6)
    return { semantic, center, offsets, width: w, height: h };
  }

  it('groups thing pixels to the nearest centre (offsets, offsetScale), majority-votes the class, area-filters stuff', () => {
    const f = frame();
    const d = decodePanopticDeepLab(f, classes, { ...P, nmsKernel: 3 });
    const seg = (x: number, y: number) => d.segments.find((s) => s.id === d.ids[y * 10 + x]);
    // Zero offsets: x = 3 is nearer A (x 1) than B (x 6) in 2-D distance for rows 0–1.
    expect(seg(3, 0)!.categoryId).to.equal(1);
    expect(seg(5, 0)!.categoryId).to.equal(2); // pixel 5 votes class 1 but is out-voted inside B
    expect(d.segments.filter((s) => s.isThing)).to.have.length(2);
    expect(seg(9, 3)!.categoryId).to.equal(7);
    // Offsets pointing every thing pixel to B: one instance of the majority class (2: 16 − 1 pixels vs 16 + 1).
    const off = frame();
    for (let i = 0; i < 40; i++) {
      off.offsets[i] = (2 - Math.floor(i / 10)) / 2; // dy at half scale
      off.offsets[40 + i] = (6 - (i % 10)) / 2;
    }
    const d2 = decodePanopticDeepLab(off, classes, { ...P, nmsKernel: 3, offsetScale: [2, 2] });
    const things = d2.segments.filter((s) => s.isThing);
    expect(things.map((s) => [s.categoryId, s.area])).to.deep.equal([[1, 32]]);
    // Stuff area filter: 8 stuff pixels < 9 → void.
    const d3 = decodePanopticDeepLab(frame(), classes, { ...P, nmsKernel: 3, stuffArea: 9 });
    expect(d3.ids[9]).to.equal(0);
    expect(d3.segments.some((s) => !s.isThing)).to.equal(false);
  });

  it('scores instances as detectron2 (mean softmax prob × heatmap at the mask mean) or deeplab2 (centre heatmap)', () => {
    const f = frame();
    const d2 = decodePanopticDeepLab(f, classes, { ...P, nmsKernel: 3, scoreMode: 'deeplab2' });
    expect(d2.segments.filter((s) => s.isThing).map((s) => s.score)).to.deep.equal([Math.fround(0.8), Math.fround(0.6)]);
    const dd = decodePanopticDeepLab(f, classes, { ...P, nmsKernel: 3 });
    const a = dd.segments.find((s) => s.isThing && s.categoryId === 1)!;
    // Instance A: its pixels all have logit 3 on class 1 → p = e³/(e³ + 2) ; mask mean truncates to a pixel whose heatmap is 0 unless it is (1, 1).
    const p = Math.exp(3) / (Math.exp(3) + 2);
    const mask: number[] = [];
    for (let i = 0; i < 40; i++) if (dd.ids[i] === a.id) mask.push(i);
    const my = Math.trunc(mask.reduce((s, i) => s + Math.floor(i / 10), 0) / mask.length);
    const mx = Math.trunc(mask.reduce((s, i) => s + (i % 10), 0) / mask.length);
    expect(a.score).to.be.closeTo(p * f.center[my * 10 + mx]!, 1e-6);
    expect(my * 10 + mx).to.equal(11); // mask mean lands on the centre here, so the score is p × 0.8
  });

  it('with no centre, thing pixels stay void', () => {
    const f = frame();
    f.center.fill(0);
    const d = decodePanopticDeepLab(f, classes, { ...P, nmsKernel: 3 });
    expect(d.segments.map((s) => s.categoryId)).to.deep.equal([7]);
    expect(d.ids.filter((v) => v === 0).length).to.equal(32);
  });

  it('rejects malformed heads and params naming the field', () => {
    const f = frame();
    expect(() => decodePanopticDeepLab({ ...f, offsets: new Float32Array(3) }, classes, P)).to.throw(ConfigError, /heads\.offsets/);
    expect(() => decodePanopticDeepLab(f, classes, { ...P, nmsKernel: 4 })).to.throw(ConfigError, /params\.nmsKernel/);
    expect(() => decodePanopticDeepLab(f, classes, { ...P, scoreMode: 'x' as 'deeplab2' })).to.throw(ConfigError, /params\.scoreMode/);
    expect(() => decodePanopticDeepLab(f, classes, { ...P, offsetScale: [1] as unknown as [number, number] })).to.throw(ConfigError, /params\.offsetScale/);
  });
});
