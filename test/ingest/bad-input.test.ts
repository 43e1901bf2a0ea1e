import { expect } from 'chai';
import { copyFileSync, mkdtempSync, openSync, readSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { ConfigError, PanopticError } from '../../src/core/errors.js';
import { FrameSource, probeSource, SourceError, SourceErrorCode } from '../../src/ingest/index.js';
import { SAMPLE_VIDEO } from '../helpers/fixtures.js';
import { freePort } from '../helpers/rtsp.js';
import { waitNoFfmpeg } from '../helpers/processes.js';
import { record } from './source-helpers.js';

function truncatedCopy(dir: string, bytes: number): string {
  const out = join(dir, `trunc-${bytes}.mp4`);
  const buf = Buffer.alloc(bytes);
  const fd = openSync(SAMPLE_VIDEO(), 'r');
  readSync(fd, buf, 0, bytes, 0);
  closeSync(fd);
  writeFileSync(out, buf);
  return out;
}

describe('ingest: bad inputs give typed errors naming the camera, within a bounded time', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ingest-bad-'));
    // Not .txt: FFmpeg's tty demuxer would happily render a text file as (ANSI art) video.
    writeFileSync(join(dir, 'notes.json'), JSON.stringify({ note: 'this is not a video', n: [...Array(500).keys()] }));
    copyFileSync(SAMPLE_VIDEO(), join(dir, 'ok.mp4'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    expect(await waitNoFfmpeg(5000)).to.deep.equal([]);
  });

  /** Runs a source with no retries; returns the final state event, the errors and the elapsed time. */
  async function failWith(url: string, extra: Partial<ConstructorParameters<typeof FrameSource>[0]> = {}) {
    const s = new FrameSource({ cameraId: 'cam-bad', url, retry: { maxRetries: 0 }, ...extra });
    const rec = record(s);
    const t0 = Date.now();
    const done = Promise.race([rec.waitFor('failed', 20_000), rec.waitFor('stopped', 20_000)]);
    s.start();
    const final = await done;
    await s.close();
    return { final, errors: rec.errors, elapsedMs: Date.now() - t0, states: rec.states };
  }

  const cases: [string, () => string, string][] = [
    ['nonexistent file', () => join(dir, 'missing.mp4'), SourceErrorCode.NOT_FOUND],
    ['a directory', () => dir, SourceErrorCode.IS_DIRECTORY],
    ['a non-video file', () => join(dir, 'notes.json'), SourceErrorCode.INVALID_DATA],
    ['an MP4 truncated inside its header (moov)', () => truncatedCopy(dir, 10_000), SourceErrorCode.INVALID_DATA],
  ];
  for (const [name, url, code] of cases) {
    it(`${name} → ${code}`, async () => {
      const t0 = Date.now();
      const err = await probeSource(url(), { cameraId: 'cam-bad' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(SourceError);
      expect((err as SourceError).code).to.equal(code);
      expect((err as SourceError).message).to.include('camera:cam-bad');
      expect((err as SourceError).fatal, 'local file errors are not retryable').to.equal(true);
      expect(Date.now() - t0).to.be.below(5000);
      const r = await failWith(url(), { retry: {} }); // default policy (infinite retries): a fatal local error still fails
      expect(r.final.state).to.equal('failed');
      expect(r.final.code).to.equal(code);
      expect(r.errors[0]).to.be.instanceOf(SourceError).and.include({ code, cameraId: 'cam-bad' });
      expect(r.elapsedMs).to.be.below(5000);
    });
  }

  it('an MP4 truncated inside its media data → frames, then ERR_SOURCE_TRUNCATED and failed', async () => {
    const r = await failWith(truncatedCopy(dir, 1_000_000));
    expect(r.errors.map((e) => e.code)).to.include(SourceErrorCode.TRUNCATED);
    expect(r.final).to.include({ state: 'failed', code: SourceErrorCode.TRUNCATED });
    expect(r.states.map((s) => s.state)).to.include('streaming');
    expect(r.final.stderrTail.join('\n')).to.match(/partial file/);
  });

  it('unsupported scheme and garbage URL → ConfigError naming `url` before anything is spawned', () => {
    for (const url of ['javascript:alert(1)', 'concat:a.mp4|b.mp4', 'http//cam/x', '::::', 'rtsp://', 'rtsp://[::1']) {
      expect(() => new FrameSource({ cameraId: 'c', url }), url).to.throw(ConfigError).with.property('field', 'url');
    }
    expect(() => new FrameSource({ cameraId: 'c', url: 'testsrc:', width: 100 })).to.throw(ConfigError).with.property('field', 'height');
    expect(() => new FrameSource({ cameraId: 'c', url: 'testsrc:', retry: { backoffFactor: 0 } })).to.throw(ConfigError).with.property('field', 'retry.backoffFactor');
    expect(() => new FrameSource({ cameraId: '', url: 'testsrc:' })).to.throw(ConfigError).with.property('field', 'cameraId');
  });

  it('a retrying source keeps retrying per policy (refused port): attempts 1..N with growing delays, then failed', async () => {
    const port = await freePort();
    const s = new FrameSource({ cameraId: 'cam-retry', url: `rtsp://127.0.0.1:${port}/x`, retry: { maxRetries: 3, initialDelayMs: 100, maxDelayMs: 400, backoffFactor: 2, jitterRatio: 0 } });
    const rec = record(s);
    const failed = rec.waitFor('failed', 20_000);
    s.start();
    const final = await failed;
    await s.close();
    const re = rec.states.filter((e) => e.state === 'reconnecting');
    expect(re.map((e) => [e.attempt, e.delayMs])).to.deep.equal([[1, 100], [2, 200], [3, 400]]);
    expect(final.code).to.equal(SourceErrorCode.REFUSED);
    expect(rec.errors).to.have.length(4);
    for (const e of rec.errors) expect(e).to.be.instanceOf(PanopticError).and.include({ code: SourceErrorCode.REFUSED, cameraId: 'cam-retry' });
  });
});

describe('ingest: back-pressure (slow consumers)', function () {
  this.timeout(30_000);
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  after(async () => expect(await waitNoFfmpeg(5000)).to.deep.equal([]));

  it('newest frame wins with a slow pull consumer: drops counted, at most one frame pending, memory bounded', async () => {
    // 640x360 rgb24 = 691 200 bytes/frame at 25 fps; the consumer takes one frame every 250 ms.
    const s = new FrameSource({ cameraId: 'slow', url: 'testsrc://?size=640x360&rate=25' });
    // Weak references to every frame read: after GC, only what the source still holds may be alive.
    const refs: WeakRef<Uint8Array>[] = [];
    s.frames$.subscribe((f) => void refs.push(new WeakRef(f.data)));
    s.start();
    await s.latest();
    const seqs: number[] = [];
    const t0 = Date.now();
    while (Date.now() - t0 < 3000) {
      const f = await s.latest();
      seqs.push(f.seq);
      await new Promise((r) => setTimeout(r, 250));
    }
    const st = s.stats();
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((r) => setImmediate(r));
    }
    const alive = refs.filter((r) => r.deref() !== undefined).length;
    await s.close();
    expect(st.framesDropped).to.be.above(30); // ~75 frames read, ~12 taken
    const pending = st.framesIn - st.framesDropped - (seqs.length + 1);
    expect(pending).to.be.within(0, 1);
    expect(seqs.every((q, i) => i === 0 || q > seqs[i - 1]!)).to.equal(true);
    // ~75 frames (≈50 MB) were read; bounded means a constant number alive whatever was read: the
    // pending slot, the frame the consumer took last (still in this test's scope), and at most one
    // more delivered by ffmpeg during the GC turns above (the source keeps running meanwhile).
    expect(refs.length).to.be.above(50);
    expect(alive, `${alive} of ${refs.length} frames still alive after GC`).to.be.at.most(3);
    expect(st.state).to.equal('streaming');
  });

  it('pause mode: a consumer slower than the stall timeout causes no drops and no false "stalled"', async () => {
    const s = new FrameSource({ cameraId: 'paused', url: 'testsrc://?size=160x120&rate=25', backpressure: 'pause', stallTimeoutMs: 400 });
    const rec = record(s);
    s.start();
    for (let i = 0; i < 4; i++) {
      await s.latest();
      await new Promise((r) => setTimeout(r, 700)); // longer than stallTimeoutMs
    }
    const st = s.stats();
    await s.close();
    expect(rec.states.map((e) => e.state)).to.not.include('stalled');
    expect(st.framesDropped).to.equal(0);
    expect(st.restarts).to.equal(0);
  });
});
