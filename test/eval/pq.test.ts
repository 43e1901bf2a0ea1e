import { expect } from 'chai';
import { ConfigError } from '../../src/core/errors.js';
import { evaluatePq, formatPqTable, type PanopticImage, type PqCategory } from '../../src/eval/pq.js';
import { loadCocoSamples, type GtSample } from '../helpers/gt-tensors.js';

/** Builds an image from rows of single-character ids ('.' = 0). */
function img(rows: string[], segments: PanopticImage['segments']): PanopticImage {
  const h = rows.length, w = rows[0]!.length;
  const ids = new Int32Array(w * h);
  rows.forEach((r, y) => [...r].forEach((ch, x) => (ids[y * w + x] = ch === '.' ? 0 : Number.parseInt(ch, 36))));
  return { width: w, height: h, ids, segments };
}
const cats: PqCategory[] = [
  { id: 1, isThing: true, name: 'person' },
  { id: 2, isThing: true, name: 'car' },
  { id: 10, isThing: false, name: 'sky' },
];

describe('eval/pq (panopticapi rules)', () => {
  let coco: GtSample[];
  before(() => {
    coco = loadCocoSamples();
  });

  it('GT vs itself is 100 on the COCO sample (crowd regions predicted as plain segments are ignored)', () => {
    const r = evaluatePq(coco.map((g) => ({ gt: g, pred: { ...g, segments: g.segments.map((s) => ({ id: s.id, categoryId: s.categoryId })) } })), coco[0]!.categories);
    expect(r.all.pq).to.equal(1);
    expect(r.things.n + r.stuff.n).to.equal(r.all.n);
    expect(r.all.n).to.equal(8); // person, truck, horse, sports ball, gravel, tree, sky, grass
    expect(r.perClass.find((c) => c.categoryId === 1)!.tp).to.equal(26); // 13 + 13 non-crowd persons
  });

  it('excludes the prediction’s overlap with GT void from the union', () => {
    // GT person 4 px; prediction covers it plus 4 void px: IoU = 4 / (8 + 4 − 4 − 4) = 1.
    const gt = img(['11..', '11..'], [{ id: 1, categoryId: 1 }]);
    const pred = img(['2222', '2222'], [{ id: 2, categoryId: 1 }]);
    const r = evaluatePq([{ gt, pred }], cats);
    expect(r.perClass[0]).to.include({ tp: 1, fp: 0, fn: 0, iou: 1 });
    // Same prediction over a stuff GT instead of void: IoU 4/8 = 0.5 is not > 0.5 → FN + FP.
    const gt2 = img(['1133', '1133'], [{ id: 1, categoryId: 1 }, { id: 3, categoryId: 10 }]);
    const r2 = evaluatePq([{ gt: gt2, pred }], cats);
    expect(r2.perClass.find((c) => c.categoryId === 1)).to.include({ tp: 0, fp: 1, fn: 1 });
    expect(r2.perClass.find((c) => c.categoryId === 10)).to.include({ tp: 0, fp: 0, fn: 1 });
    expect(r2.all.pq).to.equal(0);
  });

  it('IoU must be strictly greater than 0.5; SQ/RQ/PQ per class as panopticapi', () => {
    // GT 6 px, pred 4 of them + 0 extra: IoU 4/6 > .5 ; second GT 4 px, pred 2 of them + 2 others: 2/6.
    const gt = img(['111222', '111222', '......'], [{ id: 1, categoryId: 1 }, { id: 2, categoryId: 1 }]);
    const pred = img(['33.444', '33.444', '......'], [{ id: 3, categoryId: 1 }, { id: 4, categoryId: 1 }]);
    const r = evaluatePq([{ gt, pred }], cats);
    const c = r.perClass[0]!;
    expect(c).to.include({ tp: 2, fp: 0, fn: 0 });
    expect(c.iou).to.be.closeTo(4 / 6 + 1, 1e-12);
    expect(c.sq).to.be.closeTo((4 / 6 + 1) / 2, 1e-12);
    const gt3 = img(['1122'], [{ id: 1, categoryId: 1 }, { id: 2, categoryId: 1 }]);
    const pred3 = img(['.33.'], [{ id: 3, categoryId: 1 }]);
    const r3 = evaluatePq([{ gt: gt3, pred: pred3 }], cats);
    expect(r3.perClass[0]).to.include({ tp: 0, fp: 1, fn: 2 }); // IoU 1/4 with each → no match
  });

  it('ignores crowd GT and unmatched predictions mostly on void or same-class crowd', () => {
    // Crowd person (id 5) and a car prediction over it: not same class → FP; person prediction → ignored.
    const gt = img(['5555..', '5555..'], [{ id: 5, categoryId: 1, isCrowd: true }]);
    const personOnCrowd = img(['6666..', '......'], [{ id: 6, categoryId: 1 }]);
    expect(evaluatePq([{ gt, pred: personOnCrowd }], cats).perClass).to.deep.equal([]); // crowd GT: no FN; pred: not FP
    const carOnCrowd = img(['6666..', '......'], [{ id: 6, categoryId: 2 }]);
    expect(evaluatePq([{ gt, pred: carOnCrowd }], cats).perClass[0]).to.include({ categoryId: 2, fp: 1 });
    // A person prediction on 3 crowd + 2 void px of 5 → ignored (> 50%); a car on 1 void px of 7 → FP.
    const mixed = img(['..6666', '...6..'], [{ id: 6, categoryId: 1 }]);
    expect(evaluatePq([{ gt, pred: mixed }], cats).perClass).to.deep.equal([]);
    const mostlyOther = img(['.....6', '666666'], [{ id: 6, categoryId: 2 }]);
    const gtStuff = img(['5555..', '777777'], [{ id: 5, categoryId: 1, isCrowd: true }, { id: 7, categoryId: 10 }]);
    expect(evaluatePq([{ gt: gtStuff, pred: mostlyOther }], cats).perClass.find((c) => c.categoryId === 2)).to.include({ fp: 1 });
    // Crowd never matches even with IoU 1.
    const crowdPred = img(['5555..', '5555..'], [{ id: 5, categoryId: 1 }]);
    expect(evaluatePq([{ gt, pred: crowdPred }], cats).perClass).to.deep.equal([]);
  });

  it('leaves classes with no TP/FP/FN out of the averages and uses GT areas from the annotation', () => {
    const gt = img(['1133', '1133'], [{ id: 1, categoryId: 1 }, { id: 3, categoryId: 10 }]);
    const pred = img(['1133', '1133'], [{ id: 1, categoryId: 1 }, { id: 3, categoryId: 10 }]);
    const r = evaluatePq([{ gt, pred }], cats);
    expect(r.all).to.deep.equal({ pq: 1, sq: 1, rq: 1, n: 2 });
    expect(r.things.n).to.equal(1);
    // panopticapi reads GT areas from the JSON: a stated area of 10 gives IoU 4 / (4 + 10 − 4) = 0.4 → no match.
    const r2 = evaluatePq([{ gt: { ...gt, segments: [{ id: 1, categoryId: 1, area: 10 }, { id: 3, categoryId: 10 }] }, pred }], cats);
    expect(r2.perClass[0]).to.include({ tp: 0, fp: 1, fn: 1 });
    expect(formatPqTable(r, { perClass: true })).to.match(/All\s+\|\s+100\.0 \|\s+100\.0 \|\s+100\.0 \|\s+2/).and.match(/1 person/);
  });

  it('rejects inconsistent predictions naming the field', () => {
    const gt = img(['11'], [{ id: 1, categoryId: 1 }]);
    expect(() => evaluatePq([{ gt, pred: img(['12'], [{ id: 1, categoryId: 1 }]) }], cats)).to.throw(ConfigError, /prediction\[0\]\.ids.*not in segments/);
    expect(() => evaluatePq([{ gt, pred: img(['11'], [{ id: 1, categoryId: 1 }, { id: 2, categoryId: 1 }]) }], cats)).to.throw(ConfigError, /absent from the id map/);
    expect(() => evaluatePq([{ gt, pred: img(['11'], [{ id: 1, categoryId: 99 }]) }], cats)).to.throw(ConfigError, /categoryId.*99/);
    expect(() => evaluatePq([{ gt, pred: img(['111'], [{ id: 1, categoryId: 1 }]) }], cats)).to.throw(ConfigError, /size/);
  });

  describe('perturbed predictions on the COCO sample (expected PQ computed by hand)', () => {
    /** Per-class PQ averaged over classes, from per-class (Σ IoU, TP, FP, FN). */
    function handPq(stats: Map<number, { iou: number; tp: number; fp: number; fn: number }>): number {
      let s = 0;
      for (const v of stats.values()) s += v.iou / (v.tp + 0.5 * v.fp + 0.5 * v.fn);
      return s / stats.size;
    }
    /** Perfect statistics of the sample: 1 TP of IoU 1 per non-crowd GT segment. */
    function perfect(): Map<number, { iou: number; tp: number; fp: number; fn: number }> {
      const m = new Map<number, { iou: number; tp: number; fp: number; fn: number }>();
      for (const g of coco) for (const s of g.segments) {
        if (s.isCrowd) continue;
        const v = m.get(s.categoryId) ?? { iou: 0, tp: 0, fp: 0, fn: 0 };
        v.iou++;
        v.tp++;
        m.set(s.categoryId, v);
      }
      return m;
    }
    const predOf = (g: GtSample, ids: Int32Array, drop: number[] = []): PanopticImage => ({
      // Crowd regions are predicted as plain segments of their class: ignored by the crowd rule.
      width: g.width, height: g.height, ids, segments: g.segments.filter((s) => !drop.includes(s.id)).map((s) => ({ id: s.id, categoryId: s.categoryId })),
    });

    it('dropped segment → one FN', () => {
      const g0 = coco[0]!, g1 = coco[1]!;
      const victim = g1.segments.find((s) => s.categoryId === 8)!; // one of the two trucks
      const ids = g1.ids.map((v) => (v === victim.id ? 0 : v));
      const r = evaluatePq([{ gt: g0, pred: predOf(g0, g0.ids) }, { gt: g1, pred: predOf(g1, ids, [victim.id]) }], g0.categories);
      const m = perfect();
      m.set(8, { iou: 1, tp: 1, fp: 0, fn: 1 });
      expect(r.all.pq).to.be.closeTo(handPq(m), 1e-12);
      expect(r.all.pq).to.be.closeTo((7 + 1 / 1.5) / 8, 1e-12);
    });

    it('merged instances → one TP with IoU |A|/(|A|+|B|), one FN', () => {
      const g0 = coco[0]!;
      const persons = g0.segments.filter((s) => s.categoryId === 1 && !s.isCrowd).sort((a, b) => b.area! - a.area!);
      const a = persons[0]!, b = persons[1]!;
      const ids = g0.ids.map((v) => (v === b.id ? a.id : v));
      const r = evaluatePq([{ gt: g0, pred: predOf(g0, ids, [b.id]) }, { gt: coco[1]!, pred: predOf(coco[1]!, coco[1]!.ids) }], g0.categories);
      const m = perfect();
      const p = m.get(1)!;
      m.set(1, { iou: p.iou - 2 + a.area! / (a.area! + b.area!), tp: p.tp - 1, fp: 0, fn: 1 });
      expect(r.all.pq).to.be.closeTo(handPq(m), 1e-12);
    });

    it('eroded mask → IoU = eroded / original area (removed pixels become void)', () => {
      const g1 = coco[1]!;
      const target = g1.segments.find((s) => s.categoryId === 193)!; // grass
      const w = g1.width;
      const ids = g1.ids.slice();
      let removed = 0;
      for (let i = 0; i < ids.length; i++) {
        if (g1.ids[i] !== target.id) continue;
        const x = i % w;
        const edge = x === 0 || x === w - 1 || i < w || i >= ids.length - w || g1.ids[i - 1] !== target.id || g1.ids[i + 1] !== target.id || g1.ids[i - w] !== target.id || g1.ids[i + w] !== target.id;
        if (edge) {
          ids[i] = 0;
          removed++;
        }
      }
      expect(removed).to.be.greaterThan(100);
      const r = evaluatePq([{ gt: coco[0]!, pred: predOf(coco[0]!, coco[0]!.ids) }, { gt: g1, pred: predOf(g1, ids) }], g1.categories);
      const m = perfect();
      m.set(193, { iou: 1 + (target.area! - removed) / target.area!, tp: 2, fp: 0, fn: 0 });
      expect(r.all.pq).to.be.closeTo(handPq(m), 1e-12);
      expect(r.perClass.find((c) => c.categoryId === 193)!.sq).to.be.closeTo((1 + (target.area! - removed) / target.area!) / 2, 1e-12);
    });
  });
});
