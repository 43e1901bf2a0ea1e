/**
 * The multi-camera pipeline over real pieces: FFmpeg FrameSources (synthetic patterns and a broken
 * file), one shared batch scheduler over the real `fast` model, per-camera trackers, renderer and
 * serialiser. Cameras are added and removed at runtime; a failing camera must not stall the others.
 */
import { expect } from 'chai';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { loadModel } from '../../src/model/loader.js';
import { createInference, type Inference } from '../../src/server/inference.js';
import { openFrameSource } from '../../src/streams/camera-source.js';
import { Pipeline, CameraExistsError } from '../../src/streams/pipeline.js';
import { RateMeter } from '../../src/streams/camera-pipeline.js';
import { createStages } from '../../src/streams/stages.js';
import { sharedModelsDir } from '../helpers/fixtures.js';
import { descendants } from '../helpers/processes.js';
import { waitFor } from '../helpers/server.js';

const ffmpegPids = (): number[] => descendants().filter((p) => p.comm === 'ffmpeg' && p.state !== 'Z').map((p) => p.pid);

describe('streams/pipeline: cameras added and removed at runtime over one shared model', function () {
  this.timeout(120_000);
  let pipeline: Pipeline;
  let inference: Inference;

  before(async function () {
    this.timeout(60_000);
    const model = loadModel('fast', { modelDirs: [sharedModelsDir()] });
    const adapter = await model;
    inference = createInference(model, {});
    pipeline = new Pipeline({
      openSource: (spec) => openFrameSource(spec as never, { retry: { maxRetries: 0 }, killGraceMs: 1000 }),
      stages: createStages({ infer: (f) => inference.submit(f), modelName: 'fast', categories: adapter.categories }),
    });
  });

  after(async function () {
    this.timeout(30_000);
    await pipeline?.close();
    await inference?.close();
    expect(ffmpegPids(), 'FFmpeg children left').to.deep.equal([]);
  });

  it('processes two cameras while a third fails, counts drops, and isolates removal and addition', async () => {
    const a = pipeline.addCamera({ id: 'a', url: 'testsrc:?size=320x240&rate=10' });
    const b = pipeline.addCamera({ id: 'b', url: 'testsrc:smptebars?size=320x240&rate=10' });
    const bad = pipeline.addCamera({ id: 'bad', url: '/nonexistent/camera.mp4' });
    expect(() => pipeline.addCamera({ id: 'a', url: 'testsrc:' })).to.throw(CameraExistsError);

    await waitFor('bad camera failed', () => bad.state.state === 'failed', 30_000);
    expect(bad.state.reason).to.match(/not found|no such file/i);
    await waitFor('2 processed frames on a and b', () => a.stats().processed >= 2 && b.stats().processed >= 2, 90_000, 100);

    // Newest-wins: the model is much slower than 10 fps, so frames are dropped and counted, never queued.
    const sa = a.stats();
    expect(sa.fpsIn).to.be.greaterThan(0);
    expect(sa.dropped, 'drops counted').to.be.greaterThan(0);
    // Every frame read is processed, dropped, or one of ≤ 3 in flight/pending (tolerance: 3 frames).
    expect(sa.processed + sa.dropped).to.be.within(sa.framesIn - 3, sa.framesIn);

    // Every processed frame carries a tracked frame and renders/serialises on demand.
    const p = b.latest!;
    expect(p.annotated().width).to.equal(320);
    expect(JSON.parse(p.messageJson(false))).to.include({ cameraId: 'b', type: 'segments' });
    expect((await p.jpeg()).subarray(0, 2)).to.deep.equal(Buffer.from([0xff, 0xd8]));

    // Remove a: its output completes, b keeps being processed.
    const aDone = lastValueFrom(a.output$.pipe(toArray()));
    const before = b.stats().processed;
    expect(await pipeline.removeCamera('a')).to.equal(true);
    await aDone;
    expect(a.state.state).to.equal('stopped');
    expect(pipeline.get('a')).to.equal(undefined);
    await waitFor('b continues after a is removed', () => b.stats().processed >= before + 2, 60_000, 100);

    // Add c at runtime: it gets frames, b keeps going.
    const c = pipeline.addCamera({ id: 'c', url: 'testsrc:rgbtestsrc?size=160x120&rate=10' });
    const first = await firstValueFrom(c.output$);
    expect([first.frame.width, first.frame.height]).to.deep.equal([160, 120]);
    const bNow = b.stats().processed;
    await waitFor('b still processed with c attached', () => b.stats().processed > bNow, 60_000, 100);
    expect(bad.state.state, 'the failed camera stays failed without affecting others').to.equal('failed');
    expect(pipeline.list().map((x) => x.spec.id).sort()).to.deep.equal(['b', 'bad', 'c']);
  });

  it('RateMeter counts events per second over its window (tolerance 0.01)', () => {
    const m = new RateMeter(2000);
    for (let t = 0; t < 2000; t += 100) m.mark(1, 10_000 + t);
    expect(m.rate(12_000)).to.be.closeTo(10, 0.01);
    expect(m.rate(20_000)).to.equal(0);
    expect(m.total).to.equal(20);
  });
});
