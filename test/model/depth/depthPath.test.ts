import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RgbImage } from '../../../src/core/types.js';
import { depthMetrics } from '../../../src/model/depth/depthMetrics.js';
import { depthMapSize } from '../../../src/model/depth/DepthHead.js';
import { normalizeDepth } from '../../../src/model/depth/normalizeDepth.js';
import { loadModel } from '../../../src/model/loader.js';
import { buildHeadsModel, encodeModel, type GraphSpec } from '../../helpers/onnx-builder.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Depth model: NHWC [1,8,8,3] → mean over RGB → [1,8,8,1] (so depth = 10·mean(RGB)/255 + 0.5 m with the manifest's scale/shift). */
const depthGraph: GraphSpec = {
  inputs: [{ name: 'input_nhwc', type: 'float32', dims: [1, 8, 8, 3] }],
  outputs: [{ name: 'depth', type: 'float32', dims: [1, 8, 8, 1] }],
  nodes: [{ op: 'ReduceMean', inputs: ['input_nhwc'], outputs: ['depth'], attrs: { axes: [3], keepdims: 1 } }],
  opset: 17,
};

/** Mask-classification model: query 0 = person on bright pixels, query 1 = sky on dark pixels. */
function mainGraph(): GraphSpec {
  const g = buildHeadsModel({ batch: 1, width: 8, height: 8, heads: { maskLogits: { conv: { weights: [[20, 0, 0], [-20, 0, 0]], bias: [-10, 10] } } } });
  g.initializers!.push({ name: 'cls_K', dims: [1, 2, 3], values: [10, 0, 0, 0, 10, 0] });
  g.nodes.push({ op: 'Identity', inputs: ['cls_K'], outputs: ['classLogits'] });
  g.outputs.push({ name: 'classLogits', type: 'float32', dims: [1, 2, 3] });
  return g;
}

/** A 64×32 image, left half black, right half white. */
function halfWhite(): RgbImage {
  const data = new Uint8Array(64 * 32 * 3);
  for (let y = 0; y < 32; y++) for (let x = 32; x < 64; x++) data.fill(255, (y * 64 + x) * 3, (y * 64 + x) * 3 + 3);
  return { width: 64, height: 32, data };
}

describe('depth path', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'ps-depth-'));
    const dir = join(root, 'mc-depth');
    mkdirSync(dir);
    const main = encodeModel(mainGraph());
    const depth = encodeModel(depthGraph);
    writeFileSync(join(dir, 'main.onnx'), main);
    writeFileSync(join(dir, 'depth.onnx'), depth);
    const input = { width: 8, height: 8, dtype: 'float32', scale: 1 / 255, resize: 'stretch' };
    writeFileSync(
      join(dir, 'model.json'),
      JSON.stringify({
        schemaVersion: 1,
        name: 'mc-depth',
        family: 'mask-classification',
        components: {
          main: { file: { name: 'main.onnx', sha256: sha(main) }, input: { ...input, name: 'image', layout: 'NCHW' }, outputs: { classLogits: 'classLogits', maskLogits: 'maskLogits' } },
          depth: { file: { name: 'depth.onnx', sha256: sha(depth) }, input: { ...input, name: 'input_nhwc', layout: 'NHWC' }, outputs: { depth: 'depth' } },
        },
        classes: [
          { id: 1, name: 'person', isThing: true },
          { id: 2, name: 'sky', isThing: false },
        ],
        params: { scoreThreshold: 0.8 },
        depth: { kind: 'metric', unit: 'm', scale: 10, shift: 0.5 },
        runtime: { maxBatch: 1, executionProviders: ['cpu'] },
      }),
    );
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('runs a generated depth ONNX next to the main model: depth map at frame size and per-segment medians (tolerance 1e-4 m)', async () => {
    const model = await loadModel(join(root, 'mc-depth'));
    try {
      const [f] = await model.process([halfWhite()]);
      expect(f!.depthKind).to.equal('metric');
      expect(f!.depth).to.have.length(64 * 32);
      expect(f!.depth![0]).to.be.closeTo(0.5, 1e-4); // black: 10·0 + 0.5
      expect(f!.depth![63]).to.be.closeTo(10.5, 1e-4); // white: 10·1 + 0.5
      const person = f!.segments.find((s) => s.categoryId === 1)!;
      const sky = f!.segments.find((s) => s.categoryId === 2)!;
      expect(person.isThing).to.equal(true);
      expect(sky.isThing).to.equal(false);
      expect(person.area + sky.area).to.equal(64 * 32);
      expect(person.depth!.median).to.be.closeTo(10.5, 1e-4);
      expect(sky.depth!.median).to.be.closeTo(0.5, 1e-4);
      expect(person.centroid[0]).to.be.greaterThan(32);
    } finally {
      await model.close();
    }
  });

  it('normalises per manifest and reads single-channel map layouts', () => {
    expect(Array.from(normalizeDepth([0, 1, Number.NaN], { kind: 'metric', scale: 2, shift: 1 }))).to.deep.equal([1, 3, Number.NaN]);
    expect(depthMapSize([1, 320, 320, 1])).to.deep.equal([320, 320]);
    expect(depthMapSize([1, 1, 518, 700])).to.deep.equal([518, 700]);
    expect(depthMapSize([1, 518, 700])).to.deep.equal([518, 700]);
    expect(() => depthMapSize([1, 3, 8, 8])).to.throw(/single-channel/);
  });

  it('computes AbsRel and δ<1.25, with median scaling and inverse-depth scale/shift alignment (tolerance 1e-9)', () => {
    const gt = [1, 2, 4, 8, 0];
    // 10 % too far everywhere: AbsRel 0.1, all within 1.25; the invalid (0) GT pixel is ignored.
    const m = depthMetrics(gt.map((g) => g * 1.1), gt);
    expect(m.count).to.equal(4);
    expect(m.absRel).to.be.closeTo(0.1, 1e-9);
    expect(m.delta1).to.equal(1);
    // Relative depth off by a factor 3: median scaling removes it.
    expect(depthMetrics(gt.map((g) => g * 3), gt, { align: 'median' }).absRel).to.be.closeTo(0, 1e-9);
    // Relative inverse depth (disparity) = 5/g + 2: the least-squares fit in inverse space recovers g.
    expect(depthMetrics(gt.map((g) => (g > 0 ? 5 / g + 2 : 0)), gt, { align: 'inverse-scale-shift' }).absRel).to.be.closeTo(0, 1e-9);
    // One pixel 2× too far: δ fails there only.
    expect(depthMetrics([1, 2, 4, 16], [1, 2, 4, 8]).delta1).to.equal(0.75);
    expect(() => depthMetrics([1], [0])).to.throw(/no valid/);
  });
});
