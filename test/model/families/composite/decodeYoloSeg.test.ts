import { expect } from 'chai';
import { decodeYoloSeg } from '../../../../src/model/families/composite/decodeYoloSeg.js';
import { computeTransform } from '../../../../src/model/preprocess.js';

/** Builds YOLO-seg outputs with nc classes, nm=2 coefficients, anchors given as [cx,cy,w,h,classScores[],coeffs[]]. */
function outputs(anchors: { box: number[]; scores: number[]; coeffs: number[] }[], nc: number, protos: Float32Array, mh: number, mw: number) {
  const nm = 2;
  const n = anchors.length;
  const c = 4 + nc + nm;
  const o = new Float32Array(c * n);
  anchors.forEach((a, i) => {
    [...a.box, ...a.scores, ...a.coeffs].forEach((v, ch) => (o[ch * n + i] = v));
  });
  return { output0: o, dims0: [1, c, n], protos, protoDims: [1, nm, mh, mw] };
}

describe('decodeYoloSeg', () => {
  // Proto grid 16×16 over a 64×64 input; channel 0 = +10 everywhere, channel 1 = +10 on the left half (x < 8), −10 right.
  const mh = 16;
  const mw = 16;
  const protos = new Float32Array(2 * mh * mw);
  for (let y = 0; y < mh; y++)
    for (let x = 0; x < mw; x++) {
      protos[y * mw + x] = 10;
      protos[mh * mw + y * mw + x] = x < 8 ? 10 : -10;
    }
  // A 200×100 frame letterboxed into 64×64: scale 0.32, content 64×32, padY 16.
  const p = computeTransform(200, 100, 64, 64, 'letterbox');

  it('unletterboxes boxes and masks exactly and crops the mask to the box', () => {
    const out = outputs([{ box: [32, 32, 32, 16], scores: [0.9, 0.1], coeffs: [1, 0] }], 2, protos, mh, mw);
    const [det, ...rest] = decodeYoloSeg(out, p, 200, 100);
    expect(rest).to.have.length(0);
    expect(det!.classIndex).to.equal(0);
    expect(det!.score).to.be.closeTo(0.9, 1e-6);
    // Box edges: input x 16..48 → frame (16 − 0)/0.32 = 50 .. 150; input y 24..40 → (24 − 16)/0.32 = 25 .. 75 (tolerance 1e-4 px).
    det!.box.forEach((v, i) => expect(v).to.be.closeTo([50, 25, 150, 75][i]!, 1e-4));
    expect(det!.mask).to.include({ left: 50, top: 25, width: 100, height: 50 });
    expect(det!.mask.data.reduce((a, b) => a + b, 0)).to.equal(5000);
  });

  it('thresholds sigmoid(coeffs·protos): only the left half of the proto grid is inside the mask', () => {
    const out = outputs([{ box: [32, 32, 64, 32], scores: [0.8, 0], coeffs: [0, 1] }], 2, protos, mh, mw);
    const [det] = decodeYoloSeg(out, p, 200, 100);
    const m = det!.mask;
    expect(m).to.include({ left: 0, top: 0, width: 200, height: 100 });
    // Proto x < 8 ↔ input x < 32 ↔ frame x < 100; bilinear interpolation flips exactly at the midpoint (x = 100).
    for (const y of [0, 50, 99]) {
      expect(m.data[y * 200 + 98]).to.equal(1);
      expect(m.data[y * 200 + 101]).to.equal(0);
    }
  });

  it('applies the confidence threshold, class-aware NMS and max detections', () => {
    const anchors = [
      { box: [32, 32, 32, 16], scores: [0.9, 0], coeffs: [1, 0] },
      { box: [33, 32, 32, 16], scores: [0.85, 0], coeffs: [1, 0] }, // same class, IoU ≈ 0.94 → suppressed
      { box: [33, 32, 32, 16], scores: [0, 0.7], coeffs: [1, 0] }, // other class → kept
      { box: [10, 30, 8, 8], scores: [0.2, 0], coeffs: [1, 0] }, // below 0.25 → dropped
      { box: [50, 30, 8, 8], scores: [0.5, 0], coeffs: [1, 0] }, // disjoint → kept
    ];
    const out = outputs(anchors, 2, protos, mh, mw);
    const dets = decodeYoloSeg(out, p, 200, 100);
    expect(dets.map((d) => [d.classIndex, Math.round(d.score * 100)])).to.deep.equal([[0, 90], [1, 70], [0, 50]]);
    expect(decodeYoloSeg(out, p, 200, 100, { maxDetections: 2 })).to.have.length(2);
    expect(decodeYoloSeg(out, p, 200, 100, { iouThreshold: 0.99 })).to.have.length(4);
    expect(decodeYoloSeg(out, p, 200, 100, { confThreshold: 0.1 })).to.have.length(4);
  });

  it('rejects outputs whose shapes do not fit', () => {
    const out = outputs([{ box: [32, 32, 32, 16], scores: [0.9, 0.1], coeffs: [1, 0] }], 2, protos, mh, mw);
    expect(() => decodeYoloSeg({ ...out, dims0: [1, 5, 1] }, p, 200, 100)).to.throw(RangeError, /do not fit/);
  });
});
