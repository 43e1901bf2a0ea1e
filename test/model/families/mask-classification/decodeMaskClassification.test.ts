import { expect } from 'chai';
import { evaluatePq, type PanopticImage } from '../../../../src/eval/pq.js';
import { decodeMaskClassification, type MaskClassificationOutputs } from '../../../../src/model/families/mask-classification/decodeMaskClassification.js';
import { computeTransform } from '../../../../src/model/preprocess.js';
import { loadCocoSample, type CocoSample } from './cocoSample.js';

/**
 * Mask2Former-style outputs generated from a panoptic GT: one query per GT segment (class logit
 * `confidence` on its category, 0 elsewhere) with mask logits ±8 inside/outside, on a grid `factor`
 * times coarser than the image (mask value = share of the cell inside the segment), plus `extra`
 * "no object" queries.
 */
function outputsFromGt(gt: PanopticImage, classIndex: Map<number, number>, numClasses: number, opts: { factor?: number; extra?: number; confidence?: number } = {}): MaskClassificationOutputs {
  const f = opts.factor ?? 1;
  const extra = opts.extra ?? 3;
  const conf = opts.confidence ?? 10;
  const mw = Math.ceil(gt.width / f);
  const mh = Math.ceil(gt.height / f);
  const q = gt.segments.length + extra;
  const c1 = numClasses + 1;
  const classLogits = new Float32Array(q * c1);
  const maskLogits = new Float32Array(q * mh * mw).fill(-8);
  const inside = new Float32Array(mh * mw);
  gt.segments.forEach((s, k) => {
    classLogits[k * c1 + classIndex.get(s.categoryId)!] = conf;
    inside.fill(0);
    for (let y = 0; y < gt.height; y++) for (let x = 0; x < gt.width; x++) if (gt.ids[y * gt.width + x] === s.id) inside[Math.floor(y / f) * mw + Math.floor(x / f)]++;
    for (let i = 0; i < mh * mw; i++) maskLogits[k * mh * mw + i] = inside[i]! > 0 ? 16 * (inside[i]! / (f * f)) - 8 : -8;
  });
  for (let k = gt.segments.length; k < q; k++) {
    classLogits[k * c1 + numClasses] = 10; // "no object"
    maskLogits.fill(8, k * mh * mw, (k + 1) * mh * mw); // a full-frame mask that must be ignored
  }
  return { classLogits, maskLogits, numQueries: q, numLogits: c1, maskHeight: mh, maskWidth: mw };
}

describe('decodeMaskClassification', function () {
  this.timeout(60_000);
  let sample: CocoSample;
  let classIndex: Map<number, number>;
  let table: { categoryIds: Int32Array; isThing: boolean[] };
  before(async () => {
    sample = await loadCocoSample();
    classIndex = new Map(sample.categories.map((c, i) => [c.id, i]));
    table = { categoryIds: Int32Array.from(sample.categories, (c) => c.id), isThing: sample.categories.map((c) => c.isthing === 1) };
  });

  function decode(gt: PanopticImage, out: MaskClassificationOutputs, opts = {}): PanopticImage {
    // The mask grid covers a model input of the image's own size (stretch = identity here).
    const t = computeTransform(gt.width, gt.height, out.maskWidth * (gt.width / out.maskWidth), out.maskHeight * (gt.height / out.maskHeight), 'stretch');
    const { ids, infos } = decodeMaskClassification(out, table, t, gt.width, gt.height, opts);
    return { width: gt.width, height: gt.height, ids, segments: infos.map((s) => ({ id: s.id, categoryId: s.categoryId })) };
  }

  it('recovers the COCO sample GT from clean full-resolution outputs: PQ ≥ 0.99', () => {
    const pairs = sample.images.map(({ gt }) => ({ gt, pred: decode(gt, outputsFromGt(gt, classIndex, 133)) }));
    const r = evaluatePq(pairs, sample.pqCategories);
    expect(r.all.pq).to.be.at.least(0.99);
    expect(r.things.n).to.be.greaterThan(0);
    expect(r.stuff.n).to.be.greaterThan(0);
  });

  it('keeps PQ ≥ 0.9 when masks come at 1/4 resolution and are upsampled bilinearly', () => {
    const pairs = sample.images.map(({ gt }) => ({ gt, pred: decode(gt, outputsFromGt(gt, classIndex, 133, { factor: 4 })) }));
    const r = evaluatePq(pairs, sample.pqCategories);
    expect(r.all.pq).to.be.at.least(0.9).and.below(1); // bilinear edges cost a little; tiny segments may be lost
  });

  it('drops queries whose softmax score is at or below the score threshold', () => {
    const gt = sample.images[0]!.gt;
    // Logit 5 among 134 classes → score e^5 / (e^5 + 133) ≈ 0.53 < 0.8: nothing is kept.
    const weak = decode(gt, outputsFromGt(gt, classIndex, 133, { confidence: 5 }));
    expect(weak.segments).to.have.length(0);
    expect(weak.ids.every((v) => v === 0)).to.equal(true);
    expect(decode(gt, outputsFromGt(gt, classIndex, 133, { confidence: 5 }), { scoreThreshold: 0.5 }).segments.length).to.be.greaterThan(0);
  });

  it('merges stuff queries of one class and applies the overlap rule to things', () => {
    const w = 8;
    const h = 4;
    const cats = { categoryIds: Int32Array.of(1, 184), isThing: [true, false] };
    const q = 4;
    const classLogits = new Float32Array(q * 3);
    const maskLogits = new Float32Array(q * w * h).fill(-8);
    const set = (k: number, x0: number, x1: number, v = 8): void => {
      for (let y = 0; y < h; y++) for (let x = x0; x < x1; x++) maskLogits[k * w * h + y * w + x] = v;
    };
    classLogits.set([0, 10, 0], 0); // tree, left half
    set(0, 0, 4);
    classLogits.set([0, 10, 0], 3); // tree, right quarter → merged with query 0
    set(1, 6, 8);
    classLogits.set([10, 0, 0], 6); // person on columns 4..5
    set(2, 4, 6);
    classLogits.set([9, 0, 0], 9); // weaker person mostly under the tree: loses most pixels → dropped
    set(3, 1, 5, 1);
    const t = computeTransform(w, h, w, h, 'stretch');
    const { ids, infos } = decodeMaskClassification({ classLogits, maskLogits, numQueries: q, numLogits: 3, maskHeight: h, maskWidth: w }, cats, t, w, h);
    expect(infos.map((s) => [s.categoryId, s.isThing])).to.deep.equal([[184, false], [1, true]]);
    expect(Array.from(ids.subarray(0, w))).to.deep.equal([1, 1, 1, 1, 2, 2, 1, 1]);
  });

  it('rejects outputs that do not fit their declared shape', () => {
    const t = computeTransform(4, 4, 4, 4, 'stretch');
    const bad = { classLogits: new Float32Array(2), maskLogits: new Float32Array(16), numQueries: 1, numLogits: 3, maskHeight: 4, maskWidth: 4 };
    expect(() => decodeMaskClassification(bad, { categoryIds: [1, 2], isThing: [true, true] }, t, 4, 4)).to.throw(RangeError, /do not fit/);
  });
});
