import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadImage } from '../../src/core/image.js';
import { addLogSink, getLogLevel, setLogLevel, type LogRecord } from '../../src/core/logger.js';
import { InputSpecSchema } from '../../src/model/manifest.js';
import { Preprocessor, modelToSource } from '../../src/model/preprocess.js';
import { availableExecutionProviders, createSession } from '../../src/model/session.js';
import type { ModelSession } from '../../src/model/types.js';
import { dataPath, sharedModelPath } from '../helpers/fixtures.js';
import { buildHeadsModel, writeModel } from '../helpers/onnx-builder.js';

describe('model/session (onnxruntime-node)', function () {
  this.timeout(60_000);
  let root: string;
  const sessions: ModelSession[] = [];
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'ps-session-'));
  });
  after(async () => {
    await Promise.all(sessions.map((s) => s.close()));
    rmSync(root, { recursive: true, force: true });
  });

  // out = W·rgb + b per pixel, at stride 2 (1×1 conv): exactly predictable.
  const heads = { sem: { conv: { weights: [[1, 0, 0], [0, 2, -1]], bias: [0, 0.5] } } };
  const input = (n: number) => Float32Array.from({ length: n * 3 * 4 * 6 }, (_, i) => (i % 97) / 7);
  const expected = (x: Float32Array, b: number, c: number, y: number, xx: number): number => {
    const px = (ch: number) => x[((b * 3 + ch) * 4 + 2 * y) * 6 + 2 * xx]!;
    return c === 0 ? px(0) : 2 * px(1) - px(2) + 0.5;
  };

  it('runs a generated dynamic-batch model with batch 1 and batch 4 (exact values, tolerance 1e-5)', async () => {
    const path = writeModel(join(root, 'dyn.onnx'), buildHeadsModel({ width: 6, height: 4, stride: 2, heads }));
    const s = await createSession(path, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
    sessions.push(s);
    expect(s.fixedBatch).to.equal(undefined);
    expect(s.inputs).to.deep.equal([{ name: 'image', type: 'float32', dims: ['N', 3, 4, 6] }]);
    for (const n of [1, 4]) {
      const x = input(n);
      const out = await s.run({ image: { type: 'float32', dims: [n, 3, 4, 6], data: x } });
      expect(out.sem!.dims).to.deep.equal([n, 2, 2, 3]);
      const d = out.sem!.data as Float32Array;
      for (let b = 0; b < n; b++)
        for (let c = 0; c < 2; c++)
          for (let y = 0; y < 2; y++) for (let xx = 0; xx < 3; xx++) expect(d[((b * 2 + c) * 2 + y) * 3 + xx]).to.be.closeTo(expected(x, b, c, y, xx), 1e-5);
    }
  });

  it('detects a fixed batch of 1 and refuses a batch of 2 with an error printing the dims', async () => {
    const path = writeModel(join(root, 'b1.onnx'), buildHeadsModel({ batch: 1, width: 6, height: 4, stride: 2, heads }));
    const s = await createSession(path, { executionProviders: ['cpu'] });
    sessions.push(s);
    expect(s.fixedBatch).to.equal(1);
    const err = await s.run({ image: { type: 'float32', dims: [2, 3, 4, 6], data: input(2) } }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).to.contain('feeds.image.dims').and.contain('[2,3,4,6]').and.contain('[1,3,4,6]');
  });

  it('falls back from cuda to cpu and logs why (no GPU execution provider exists on this machine)', async () => {
    // The GPU path cannot run here: this onnxruntime-node build ships no CUDA provider and the machine
    // has no GPU, so the test checks the fallback decision and its log line, not a CUDA run.
    expect(availableExecutionProviders()).to.not.include('cuda');
    const records: LogRecord[] = [];
    const remove = addLogSink((r) => records.push(r));
    const level = getLogLevel();
    setLogLevel('error'); // captured by the sink instead of printed
    try {
      const path = writeModel(join(root, 'ep.onnx'), buildHeadsModel({ width: 6, height: 4, heads }));
      const s = await createSession(path, { executionProviders: ['cuda', 'cpu'] });
      sessions.push(s);
      expect(s.executionProvider).to.equal('cpu');
    } finally {
      remove();
      setLogLevel(level);
    }
    const line = records.find((r) => r.ns === 'model:session' && r.msg.includes('cuda'));
    expect(line, 'a log line names the skipped provider').to.not.equal(undefined);
    expect(line!.level).to.equal('warn');
    expect(line!.msg).to.contain('not available');
  });

  it('runs the real YOLO11n-seg int8 model once on bus.jpg and finds people (score > 0.5)', async () => {
    const s = await createSession(sharedModelPath('yolo11n-seg-int8', 'yolo11n-seg_int8.onnx'), { executionProviders: ['cpu'] });
    sessions.push(s);
    expect(s.fixedBatch).to.equal(1);
    const img = await loadImage(dataPath('images', 'bus.jpg'));
    const pre = new Preprocessor(InputSpecSchema.parse({ name: 'images', width: 640, height: 640, resize: 'letterbox', padValue: 114 }));
    const { tensor, transforms } = pre.run([img]);
    const out = await s.run({ images: tensor });
    expect(out.output0!.dims).to.deep.equal([1, 116, 8400]);
    expect(out.output1!.dims).to.deep.equal([1, 32, 160, 160]);
    // person = class 0 → row 4; anchors with a confident person whose box centre lies inside the photo
    const d = out.output0!.data as Float32Array;
    let people = 0;
    for (let a = 0; a < 8400; a++) {
      if (d[4 * 8400 + a]! <= 0.5) continue;
      const [x, y] = modelToSource(d[a]!, d[8400 + a]!, transforms[0]!);
      if (x >= 0 && x < img.width && y >= 0 && y < img.height) people++;
    }
    expect(people, 'anchors with a confident person').to.be.at.least(3);
  });
});
