import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { from, lastValueFrom, toArray } from 'rxjs';
import type { PanopticFrame, RgbImage } from '../../src/core/types.js';
import { inferWith } from '../../src/model/infer-operator.js';
import { loadModel } from '../../src/model/loader.js';
import { BatchScheduler, type InferOutcome } from '../../src/model/scheduler.js';
import type { FamilyAdapter } from '../../src/model/types.js';
import { PE_OUTPUTS, type Rect, depthOfGreen, generalistPeGraph, sceneFrame, writeBundle } from './tiny-bundles.js';

/**
 * The real adapter behind a gate: each `process` call is recorded and waits until the test opens it,
 * so the test decides when a batch in flight finishes. Inference itself is the real ONNX run.
 */
class GatedAdapter implements FamilyAdapter {
  readonly batches: string[][] = [];
  private gates: (() => void)[] = [];
  private waiters: (() => void)[] = [];
  private released = false;
  static readonly all: GatedAdapter[] = [];
  constructor(private readonly inner: FamilyAdapter) {
    GatedAdapter.all.push(this);
  }
  get family(): string {
    return this.inner.family;
  }
  get categories(): FamilyAdapter['categories'] {
    return this.inner.categories;
  }
  get maxBatch(): number {
    return this.inner.maxBatch;
  }
  get executionProviders(): Record<string, string> {
    return this.inner.executionProviders;
  }
  async process(images: readonly RgbImage[], signal?: AbortSignal): Promise<PanopticFrame[]> {
    this.batches.push(images.map((i) => (i as { cameraId?: string }).cameraId ?? '?'));
    this.waiters.splice(0).forEach((w) => w());
    if (!this.released) await new Promise<void>((r) => this.gates.push(r));
    return this.inner.process(images, signal);
  }
  /** Resolves once `n` batches have been started. */
  async started(n: number): Promise<void> {
    while (this.batches.length < n) await new Promise<void>((r) => this.waiters.push(r));
  }
  open(): void {
    this.gates.shift()?.();
  }
  /** Opens every gate, now and later (teardown after a failed test). */
  release(): void {
    this.released = true;
    this.gates.splice(0).forEach((g) => g());
  }
  async close(): Promise<void> {}
}

const W = 64;
const rect: Rect = { x: 16, y: 20, w: 24, h: 16 };
const centre: [number, number] = [(2 * 28) / W - 1, (2 * 28) / W - 1];
const greenOf: Record<string, number> = { A: 0, B: 100, C: 200, D: 50 };
const frame = (cam: string) => sceneFrame(cam, W, W, rect, greenOf[cam]!);

function expectDone(o: InferOutcome, cam: string): PanopticFrame {
  expect(o.status, `frame of ${cam}`).to.equal('done');
  const r = (o as { result: PanopticFrame }).result;
  expect(r.frame!.cameraId).to.equal(cam);
  // each result is computed from its own camera's frame (tolerance 1e-4 m)
  expect(r.segments.find((s) => s.isThing)!.depth!.median).to.be.closeTo(depthOfGreen(greenOf[cam]!), 1e-4);
  for (const k of ['queueMs', 'preprocessMs', 'runMs', 'decodeMs', 'totalMs'] as const) expect(r.timings[k], k).to.be.a('number').and.be.at.least(0);
  return r;
}

describe('model/scheduler', function () {
  this.timeout(30_000);
  let root: string;
  let dynamic: FamilyAdapter;
  let fixed1: FamilyAdapter;
  const schedulers: BatchScheduler[] = [];

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'ps-sched-'));
    process.env.PANOPTIC_STREAM_CACHE_DIR = join(root, 'cache');
    writeBundle(root, { name: 'dyn', family: 'generalist-pe', graph: generalistPeGraph(32, centre), outputs: PE_OUTPUTS });
    writeBundle(root, { name: 'fixed1', family: 'generalist-pe', graph: generalistPeGraph(32, centre, 1), outputs: PE_OUTPUTS });
    dynamic = await loadModel('dyn', { modelDirs: [root] });
    fixed1 = await loadModel('fixed1', { modelDirs: [root] });
  });
  after(async () => {
    GatedAdapter.all.forEach((g) => g.release());
    await Promise.all(schedulers.map((s) => s.close()));
    await dynamic.close();
    await fixed1.close();
    rmSync(root, { recursive: true, force: true });
  });
  const make = (a: FamilyAdapter, o: ConstructorParameters<typeof BatchScheduler>[1]) => {
    const s = new BatchScheduler(a, o);
    schedulers.push(s);
    return s;
  };

  it('batches 3 cameras into one run when they arrive together, batch 1 when one camera is alone', async () => {
    const s = make(dynamic, { maxWaitMs: 50 });
    expect(s.maxBatch).to.equal(4);
    const outs = await Promise.all(['A', 'B', 'C'].map((c) => s.submit(frame(c))));
    outs.forEach((o, i) => expectDone(o, 'ABC'[i]!));
    const single = await s.submit(frame('A'));
    expectDone(single, 'A');
    const st = s.stats();
    expect(st.batches).to.equal(2);
    expect(st.batchSizes[3]).to.equal(1);
    expect(st.batchSizes[1]).to.equal(1);
    expect(st.cameras.A).to.deep.include({ submitted: 2, done: 2 });
  });

  it('flushes at maxBatch without waiting, and after maxWaitMs when a camera stalls', async () => {
    const s = make(dynamic, { maxBatch: 2, maxWaitMs: 5_000 });
    const t0 = performance.now();
    const [a, b] = await Promise.all([s.submit(frame('A')), s.submit(frame('B'))]);
    expectDone(a, 'A');
    expectDone(b, 'B');
    // a full batch does not wait for maxWaitMs (5 s); generous bound for a loaded 2-core machine
    expect(performance.now() - t0).to.be.below(4_000);

    const t = make(dynamic, { maxBatch: 4, maxWaitMs: 40 });
    const r = expectDone(await t.submit(frame('C')), 'C'); // B and D never send: C must not wait for them
    expect(r.timings.queueMs).to.be.at.least(35); // waited for maxWaitMs (40 ms, timer granularity ±5 ms)
    expect(r.timings.queueMs).to.be.below(3_000);
  });

  it('replaces an older waiting frame of the same camera and counts the drop', async () => {
    const gated = new GatedAdapter(dynamic);
    const s = make(gated, { maxBatch: 2, maxWaitMs: 5 });
    const first = [s.submit(frame('A')), s.submit(frame('B'))]; // full batch → in flight (held by the gate)
    await gated.started(1);
    const a2 = s.submit(frame('A'));
    const a3 = s.submit(frame('A'));
    const b2 = s.submit(frame('B'));
    const c1 = s.submit(frame('C'));
    expect(await a2).to.deep.equal({ status: 'dropped', reason: 'superseded' });
    expect(s.stats()).to.deep.include({ pending: 3, inFlight: 2 });
    gated.open();
    (await Promise.all(first)).forEach((o, i) => expectDone(o, 'AB'[i]!));
    await gated.started(2);
    expect(gated.batches[1]).to.deep.equal(['A', 'B']); // longest-waiting cameras first; A waits since a2
    gated.open();
    expectDone(await a3, 'A');
    expectDone(await b2, 'B');
    await gated.started(3);
    gated.open();
    expectDone(await c1, 'C');
    const st = s.stats();
    expect(st.cameras.A!.dropped.superseded).to.equal(1);
    expect(st.cameras.A).to.deep.include({ submitted: 3, done: 2 });
    expect(st.cameras.B!.dropped.superseded).to.equal(0);
    expect(st.batches).to.equal(3);
  });

  it('is fair with a fixed-batch-1 model: a camera that keeps replacing its frame is not starved', async () => {
    expect(fixed1.maxBatch).to.equal(1);
    const gated = new GatedAdapter(fixed1);
    const s = make(gated, { maxWaitMs: 1 });
    expect(s.maxBatch).to.equal(1);
    const a1 = s.submit(frame('A'));
    await gated.started(1);
    const b1 = s.submit(frame('B'));
    await new Promise((r) => setTimeout(r, 5));
    const a2 = s.submit(frame('A'));
    await new Promise((r) => setTimeout(r, 5));
    const c1 = s.submit(frame('C'));
    const a3 = s.submit(frame('A')); // replaces a2; A keeps its place in line (waiting since a2)
    gated.open();
    expectDone(await a1, 'A');
    await gated.started(2);
    const a4 = s.submit(frame('A')); // replaces a3
    gated.open();
    expectDone(await b1, 'B');
    await gated.started(3);
    gated.open();
    expectDone(await a4, 'A');
    await gated.started(4);
    gated.open();
    expectDone(await c1, 'C');
    expect(gated.batches).to.deep.equal([['A'], ['B'], ['A'], ['C']]);
    expect((await a2).status).to.equal('dropped');
    expect((await a3).status).to.equal('dropped');
    expect(s.stats().batchSizes[1]).to.equal(4);
    expect(s.stats().cameras.A!.dropped.superseded).to.equal(2);
  });

  it('runs frames one by one through a fixed-batch-1 model under load from 3 cameras', async () => {
    const s = make(fixed1, { maxWaitMs: 2 });
    const outs: Promise<InferOutcome>[] = [];
    for (let i = 0; i < 4; i++) for (const c of ['A', 'B', 'C']) outs.push(s.submit(frame(c)));
    const res = await Promise.all(outs);
    const done = res.filter((o) => o.status === 'done').length;
    const dropped = res.filter((o) => o.status === 'dropped').length;
    const st = s.stats();
    expect(done + dropped).to.equal(12);
    expect(st.batches).to.equal(done);
    expect(st.batchSizes.slice(2).every((n) => n === 0)).to.equal(true);
    const drops = Object.values(st.cameras).reduce((n, c) => n + c.dropped.superseded, 0);
    expect(drops).to.equal(dropped);
    for (const c of ['A', 'B', 'C']) expect(st.cameras[c]!.done, `camera ${c} served`).to.be.at.least(1);
  });

  it('close() settles waiting frames as dropped, is idempotent, and refuses later work', async () => {
    const gated = new GatedAdapter(dynamic);
    const s = make(gated, { maxBatch: 1, maxWaitMs: 1 });
    const inflight = s.submit(frame('A'));
    await gated.started(1);
    const waiting = s.submit(frame('B'));
    const closing = s.close();
    expect(s.close()).to.equal(closing);
    expect(await waiting).to.deep.equal({ status: 'dropped', reason: 'closed' });
    gated.open();
    await closing;
    expect(await inflight).to.deep.equal({ status: 'dropped', reason: 'closed' });
    expect(await s.submit(frame('C'))).to.deep.equal({ status: 'dropped', reason: 'closed' });
    expect(s.stats().cameras.C!.dropped.closed).to.equal(1);
  });

  it('refuses a malformed frame alone (counted) and drops a waiting frame whose signal aborts', async () => {
    const s = make(dynamic, { maxBatch: 4, maxWaitMs: 30 });
    const good = s.submit(frame('A'));
    const bad = await s.submit({ ...frame('B'), data: new Uint8Array(10) });
    expect(bad).to.include({ status: 'dropped', reason: 'error' });
    expect((bad as { error: Error }).error.message).to.contain('frame.data').and.contain('10');
    const ctl = new AbortController();
    const aborted = s.submit(frame('C'), ctl.signal);
    ctl.abort();
    expect(await aborted).to.deep.equal({ status: 'dropped', reason: 'aborted' });
    expectDone(await good, 'A'); // the good frame of another camera is not affected
    const st = s.stats();
    expect(st.cameras.B!.dropped.error).to.equal(1);
    expect(st.cameras.C!.dropped.aborted).to.equal(1);
    expect(st.batchSizes[1]).to.equal(1);
  });

  it('a failing batch drops its frames with the error, counts it, and the scheduler carries on', async () => {
    const closedAdapter = await loadModel('dyn', { modelDirs: [root], warmup: false });
    await closedAdapter.close(); // every run now fails for real with ERR_CLOSED
    const s = make(closedAdapter, { maxWaitMs: 1 });
    const [a, b] = await Promise.all([s.submit(frame('A')), s.submit(frame('B'))]);
    for (const o of [a, b]) {
      expect(o).to.include({ status: 'dropped', reason: 'error' });
      expect((o as unknown as { error: { code: string } }).error.code).to.equal('ERR_CLOSED');
    }
    expect(s.stats().errors).to.equal(1);
    expect((await s.submit(frame('A'))).status).to.equal('dropped'); // still answering
    expect(s.stats().errors).to.equal(2);
  });

  it('inferWith maps Observable<Frame> to PanopticFrames, skipping dropped frames', async () => {
    const s = make(dynamic, { maxWaitMs: 5 });
    const frames = ['A', 'B', 'C', 'A', 'B', 'C'].map(frame);
    const out = await lastValueFrom(from(frames).pipe(inferWith(s), toArray()));
    const st = s.stats();
    const done = Object.values(st.cameras).reduce((n, c) => n + c.done, 0);
    expect(out.length).to.equal(done);
    expect(out.length).to.be.at.least(3);
    for (const r of out) expect(r.segments.find((x) => x.isThing)!.depth!.median).to.be.closeTo(depthOfGreen(greenOf[r.frame!.cameraId]!), 1e-4);
    // per camera, results come out in frame order
    for (const c of ['A', 'B', 'C']) {
      const seqs = out.filter((r) => r.frame!.cameraId === c).map((r) => r.frame!.seq);
      expect(seqs).to.deep.equal([...seqs].sort((x, y) => x - y));
    }
  });
});
