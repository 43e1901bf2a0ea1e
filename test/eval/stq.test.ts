import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { StqAccumulator } from '../../src/eval/stq.js';
import { ConfigError } from '../../src/core/errors.js';
import { dataPath } from '../helpers/fixtures.js';

interface VectorCase {
  config: { n_classes: number; things_list: number[]; ignore_label: number; bit_shift: number; max_instances_per_category: number };
  frames: { gt: number[][]; pred: number[][]; seq: number }[];
  expected: { STQ: number; AQ: number; IoU: number };
}

const TOL = 1e-8;

describe('eval/stq: deeplab2 reference vectors', () => {
  const vectors = JSON.parse(readFileSync(dataPath('stq-test-vectors.json'), 'utf8')) as { cases: VectorCase[] };

  it('holds 13 cases', () => {
    expect(vectors.cases).to.have.length(13);
  });

  vectors.cases.forEach((c, n) => {
    it(`case ${n + 1}: STQ ${c.expected.STQ.toFixed(6)} AQ ${c.expected.AQ.toFixed(6)} IoU ${c.expected.IoU.toFixed(6)} (±${TOL})`, () => {
      // The file's `max_instances_per_category` (2^24) is the reference test's `offset` argument;
      // labels are (semantic << bit_shift) + instance.
      const stq = new StqAccumulator({
        numClasses: c.config.n_classes,
        thingClasses: c.config.things_list,
        ignoreLabel: c.config.ignore_label,
        labelDivisor: 2 ** c.config.bit_shift,
        offset: c.config.max_instances_per_category,
      });
      for (const f of c.frames) stq.update(f.gt.flat(), f.pred.flat(), f.seq);
      const r = stq.result();
      expect(r.stq).to.be.closeTo(c.expected.STQ, TOL);
      expect(r.aq).to.be.closeTo(c.expected.AQ, TOL);
      expect(r.sq).to.be.closeTo(c.expected.IoU, TOL);
      expect(r.sequences).to.have.length(1);
      expect(r.sequences[0]!.stq).to.be.closeTo(c.expected.STQ, TOL);
    });
  });
});

describe('eval/stq: behaviour', () => {
  const cfg = { numClasses: 3, thingClasses: [2], ignoreLabel: 255, labelDivisor: 1000, offset: 1 << 20 };

  it('per-sequence results and the pooled result differ as defined (AQ pooled over tubes)', () => {
    const stq = new StqAccumulator(cfg);
    // Sequence a: perfect. Sequence b: one gt tube split in two predicted halves.
    stq.update([2001, 2001, 0, 0], [2001, 2001, 0, 0], 'a');
    stq.update([2001, 2001, 2001, 2001], [2001, 2001, 2002, 2002], 'b');
    const r = stq.result();
    expect(r.sequences.map((s) => s.id)).to.deep.equal(['a', 'b']);
    expect(r.sequences[0]!.aq).to.be.closeTo(1, 1e-12);
    // b: two preds of 2 px each, IoU 0.5 each: (1/4)(2·0.5 + 2·0.5) = 0.5
    expect(r.sequences[1]!.aq).to.be.closeTo(0.5, 1e-12);
    expect(r.aq).to.be.closeTo(0.75, 1e-12);
    expect(r.sq).to.be.closeTo(1, 1e-12);
    expect(r.stq).to.be.closeTo(Math.sqrt(0.75), 1e-12);
  });

  it('ignores ground-truth ignore pixels in SQ and crowd pixels in AQ', () => {
    const stq = new StqAccumulator(cfg);
    // pixel 0: gt ignore, pred class 1 → not counted; pixel 1: crowd (2000) predicted as 2005 → not in AQ.
    stq.update([255000, 2000, 2001, 1000], [1000, 2005, 2001, 1000]);
    const r = stq.result();
    expect(r.aq).to.be.closeTo(1, 1e-12);
    expect(r.sq).to.be.closeTo(1, 1e-12);
  });

  it('rejects bad labels and configs naming the field and value', () => {
    const stq = new StqAccumulator(cfg);
    expect(() => stq.update([0, 7000], [0, 0])).to.throw(TypeError, /gt\[1\].*7000.*class 7/);
    expect(() => stq.update([0, 0], [0])).to.throw(TypeError, /pred: expected 2 labels/);
    expect(() => stq.update([0, -1], [0, 0])).to.throw(TypeError, /gt\[1\].*-1/);
    expect(() => new StqAccumulator({ ...cfg, offset: 10 })).to.throw(ConfigError, /stq\.offset/);
    expect(() => new StqAccumulator({ ...cfg, numClasses: 0 })).to.throw(ConfigError, /stq\.numClasses/);
  });
});
