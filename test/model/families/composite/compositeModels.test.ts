import { expect } from 'chai';
import { loadImage } from '../../../../src/core/image.js';
import type { PanopticFrame } from '../../../../src/core/types.js';
import { evaluatePq, type PanopticImage, type PqResult } from '../../../../src/eval/pq.js';
import { loadModel } from '../../../../src/model/loader.js';
import type { FamilyAdapter } from '../../../../src/model/types.js';
import { dataPath, sharedModelsDir } from '../../../helpers/fixtures.js';
import { loadCocoSample, type CocoSample } from '../mask-classification/cocoSample.js';
import { cocoMapFor } from './cocoMapping.js';

/**
 * A panoptic frame in COCO panoptic categories: segments without a COCO counterpart become void (their
 * pixels are not scored as predictions), stuff segments mapping to the same COCO category are merged.
 */
function toCoco(f: PanopticFrame, map: Map<number, number>): PanopticImage {
  const remap = new Int32Array(f.segments.reduce((m, s) => Math.max(m, s.id), 0) + 1);
  const stuffSeg = new Map<number, number>();
  const segments: { id: number; categoryId: number }[] = [];
  for (const s of f.segments) {
    const c = map.get(s.categoryId) ?? -1;
    if (c < 0) continue;
    const merged = s.isThing ? undefined : stuffSeg.get(c);
    if (merged !== undefined) {
      remap[s.id] = merged;
      continue;
    }
    remap[s.id] = s.id;
    if (!s.isThing) stuffSeg.set(c, s.id);
    segments.push({ id: s.id, categoryId: c });
  }
  return { width: f.width, height: f.height, ids: f.ids.map((v) => remap[v]!), segments };
}

function names(m: FamilyAdapter, f: PanopticFrame): string[] {
  const byId = new Map(m.categories.map((c) => [c.id, c.name]));
  return f.segments.map((s) => byId.get(s.categoryId)!);
}

for (const bundle of ['default', 'indoor'] as const) {
  describe(`composite bundle "${bundle}" (real models)`, function () {
    this.timeout(120_000);
    let model: FamilyAdapter;
    let coco: CocoSample;
    before(async () => {
      process.env.PANOPTIC_STREAM_MODELS ??= sharedModelsDir();
      [model, coco] = await Promise.all([loadModel(bundle, { executionProviders: ['cpu'] }), loadCocoSample()]);
    });
    after(async () => {
      await model?.close();
    });

    it('finds persons, the bus (or a car) and road/building stuff on bus.jpg, with depth per segment', async () => {
      const img = await loadImage(dataPath('images', 'bus.jpg'));
      const [f] = await model.process([img]);
      const n = names(model, f!);
      expect(n.filter((x) => x === 'person').length, n.join(',')).to.be.at.least(3);
      expect(n.some((x) => x === 'bus' || x === 'car'), n.join(',')).to.equal(true);
      expect(n, n.join(',')).to.include.members(['road', 'building']);
      expect(f!.ids).to.have.length(img.width * img.height);
      // Things are painted first, ids are unique and every segment's area matches its pixels.
      const ids = f!.segments.map((s) => s.id);
      expect(new Set(ids).size).to.equal(ids.length);
      const seg = f!.segments[0]!;
      expect(f!.ids.reduce((a, v) => a + (v === seg.id ? 1 : 0), 0)).to.equal(seg.area);
      // Depth: a map at frame size, metric (FastDepth) here, and a finite positive median per segment.
      expect(f!.depth).to.have.length(img.width * img.height);
      expect(f!.depthKind).to.equal('metric');
      for (const s of f!.segments) expect(s.depth?.median).to.be.a('number').and.greaterThan(0);
    });

    it('scores a measured PQ floor on the two COCO panoptic GT images', async () => {
      const map = cocoMapFor(bundle, model.categories);
      const pairs = [];
      for (const { image, gt } of coco.images) {
        const [f] = await model.process([image]);
        pairs.push({ gt, pred: toCoco(f!, map) });
      }
      const r: PqResult = evaluatePq(pairs, coco.pqCategories);
      // Measured here (docs/default-model.md): default 0.263 / indoor 0.406, things 0.372; floors leave ~0.04 for ORT/CPU differences.
      const floor = { default: 0.22, indoor: 0.36 }[bundle];
      expect(r.all.pq, JSON.stringify(r.all)).to.be.at.least(floor);
      expect(r.things.pq).to.be.greaterThan(0.3);
    });
  });
}
