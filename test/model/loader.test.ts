import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PanopticFrame } from '../../src/core/types.js';
import { loadModel } from '../../src/model/loader.js';
import { centroidEmbedding, peEmbedding } from '../../src/model/pe.js';
import type { FamilyAdapter } from '../../src/model/types.js';
import { DEEPLAB_OUTPUTS, PE_OUTPUTS, type Rect, deepLabGraph, depthOfGreen, generalistPeGraph, sceneFrame, writeBundle } from './tiny-bundles.js';

/** Checks one decoded frame against its scene: one person = the rectangle, sky = the rest, depth from g. */
function expectScene(r: PanopticFrame, width: number, height: number, rect: Rect, g: number): void {
  expect([r.width, r.height]).to.deep.equal([width, height]);
  const person = r.segments.filter((s) => s.categoryId === 1);
  const sky = r.segments.filter((s) => s.categoryId === 2);
  expect(person, 'one person instance').to.have.length(1);
  expect(sky, 'one sky segment').to.have.length(1);
  expect(person[0]!.isThing).to.equal(true);
  expect(person[0]!.bbox).to.deep.equal([rect.x, rect.y, rect.w, rect.h]);
  expect(person[0]!.area).to.equal(rect.w * rect.h);
  expect(sky[0]!.area).to.equal(width * height - rect.w * rect.h);
  expect(person[0]!.centroid[0]).to.be.closeTo(rect.x + rect.w / 2, 1e-9);
  expect(person[0]!.centroid[1]).to.be.closeTo(rect.y + rect.h / 2, 1e-9);
  // every pixel of the id map belongs to a listed segment (no void in this scene)
  const ids = new Set(r.segments.map((s) => s.id));
  expect(r.ids.every((id) => ids.has(id))).to.equal(true);
  expect(r.depth).to.be.instanceOf(Float32Array);
  expect(r.depthKind).to.equal('metric');
  expect(person[0]!.depth!.median).to.be.closeTo(depthOfGreen(g), 1e-4);
  expect(r.timings.preprocessMs).to.be.a('number');
  expect(r.timings.runMs).to.be.a('number');
  expect(r.timings.decodeMs).to.be.a('number');
}

describe('model/loader + families (generated ONNX models)', function () {
  this.timeout(30_000);
  let root: string;
  const adapters: FamilyAdapter[] = [];

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'ps-loader-'));
    process.env.PANOPTIC_STREAM_CACHE_DIR = join(root, 'cache');
  });
  after(async () => {
    await Promise.all(adapters.map((a) => a.close()));
    rmSync(root, { recursive: true, force: true });
  });

  // 64×64 frames, 32×32 model input (stretch): rectangles centred on (28, 28) px, even coordinates,
  // so the 2× bilinear downscale and the nearest upscale of the ids are exact. (Not the image centre:
  // v = 0 lies exactly between two histogram bins, a plateau that is no strict local maximum.)
  const W = 64;
  const rects: Rect[] = [
    { x: 16, y: 20, w: 24, h: 16 },
    { x: 20, y: 24, w: 16, h: 8 },
    { x: 24, y: 20, w: 8, h: 16 },
  ];
  const greens = [0, 100, 200];
  const centre: [number, number] = [(2 * 28) / W - 1, (2 * 28) / W - 1];

  it('generalist-pe with a dynamic batch: batch 1 and batch 4 across 3 cameras give each frame its own result', async () => {
    writeBundle(root, { name: 'tiny-pe', family: 'generalist-pe', graph: generalistPeGraph(32, centre), outputs: PE_OUTPUTS });
    const adapter = await loadModel('tiny-pe', { modelDirs: [root] });
    adapters.push(adapter);
    expect(adapter.family).to.equal('generalist-pe');
    expect(adapter.maxBatch).to.equal(4);
    expect(adapter.executionProviders).to.deep.equal({ main: 'cpu' });
    expect(adapter.categories.map((c) => c.name)).to.deep.equal(['person', 'sky']);

    const [one] = await adapter.process([sceneFrame('cam0', W, W, rects[0]!, greens[0]!)]);
    expectScene(one!, W, W, rects[0]!, greens[0]!);
    // the generalist-pe embedding is the model's mean predicted PE (constant here), tolerance 1e-5
    const emb = one!.segments.find((s) => s.isThing)!.embedding;
    const want = peEmbedding(centre[0], centre[1], 4);
    emb.forEach((v, i) => expect(v).to.be.closeTo(want[i]!, 1e-5));

    const cams = [0, 1, 2, 0];
    const frames = cams.map((c) => sceneFrame(`cam${c}`, W, W, rects[c]!, greens[c]!));
    const results = await adapter.process(frames);
    expect(results).to.have.length(4);
    results.forEach((r, i) => expectScene(r, W, W, rects[cams[i]!]!, greens[cams[i]!]!));
  });

  it('a fixed-batch-1 model reports maxBatch 1 and splits a batch into single runs', async () => {
    writeBundle(root, { name: 'tiny-pe-b1', family: 'generalist-pe', graph: generalistPeGraph(32, centre, 1), outputs: PE_OUTPUTS });
    const adapter = await loadModel(join(root, 'tiny-pe-b1'), { warmup: true });
    adapters.push(adapter);
    expect(adapter.maxBatch).to.equal(1);
    const frames = [0, 1, 2].map((c) => sceneFrame(`cam${c}`, W, W, rects[c]!, greens[c]!));
    const results = await adapter.process(frames);
    results.forEach((r, i) => expectScene(r, W, W, rects[i]!, greens[i]!));
  });

  it('panoptic-deeplab with a letterboxed input and stride-2 heads maps ids, offsets and depth back exactly', async () => {
    // 64×48 frame → 32×32 input: content 32×24, padY 4; heads 16×16 (4 frame px per head px).
    // Rectangle x 16..40, y 12..28 → centroid (28, 20) px → input (14, 14) → head (7, 7).
    writeBundle(root, {
      name: 'tiny-deeplab',
      family: 'panoptic-deeplab',
      graph: deepLabGraph(32, [7, 7]),
      outputs: DEEPLAB_OUTPUTS,
      input: { resize: 'letterbox', padValue: 114 },
      params: { stuffArea: 1, nmsKernel: 3 },
    });
    const adapter = await loadModel('tiny-deeplab', { modelDirs: [root] });
    adapters.push(adapter);
    const rect = { x: 16, y: 12, w: 24, h: 16 };
    const results = await adapter.process([sceneFrame('a', 64, 48, rect, 50), sceneFrame('b', 64, 48, rect, 150)]);
    expectScene(results[0]!, 64, 48, rect, 50);
    expectScene(results[1]!, 64, 48, rect, 150);
    // non-PE families: embedding = γ(centroid) of the mask at frame resolution (tolerance 1e-6)
    const person = results[0]!.segments.find((s) => s.isThing)!;
    const want = centroidEmbedding(28, 20, 64, 48);
    person.embedding.forEach((v, i) => expect(v).to.be.closeTo(want[i]!, 1e-6));
    expect(person.score).to.be.within(0, 1);
  });

  it('a closed adapter refuses work with a typed error', async () => {
    const adapter = await loadModel('tiny-pe', { modelDirs: [root], warmup: false });
    await adapter.close();
    await adapter.close(); // idempotent
    const err = await adapter.process([sceneFrame('x', W, W, rects[0]!, 0)]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.have.property('code', 'ERR_CLOSED');
  });
});
