import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FrameSource } from '../../src/ingest/index.js';
import { dataPath, SAMPLE_VIDEO } from '../helpers/fixtures.js';
import { startStaticServer } from '../helpers/http-static.js';
import { waitNoFfmpeg } from '../helpers/processes.js';
import { collect, meanRgb, record } from './source-helpers.js';

describe('ingest/FrameSource: files, HTTP, synthetic', function () {
  this.timeout(30_000);
  const open: FrameSource[] = [];
  const make = (o: ConstructorParameters<typeof FrameSource>[0]): FrameSource => {
    const s = new FrameSource(o);
    open.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    expect(await waitNoFfmpeg(5000), 'ffmpeg children left after close()').to.deep.equal([]);
  });

  it('decodes every frame of a GIF at native size, then stops at the end of the stream', async () => {
    const s = make({ cameraId: 'gif', url: dataPath('video', 'people-detection.gif') });
    const rec = record(s);
    const all = collect(s, 1000);
    s.start();
    const frames = await all;
    // ffprobe: 23 frames, 480x270
    expect(frames.length).to.equal(23);
    for (const f of frames) expect([f.width, f.height, f.data.length, f.cameraId]).to.deep.equal([480, 270, 480 * 270 * 3, 'gif']);
    expect(frames.map((f) => f.seq)).to.deep.equal([...Array(23).keys()]);
    expect(rec.states.map((e) => e.state)).to.deep.equal(['connecting', 'streaming', 'stopped']);
    expect(rec.states.at(-1)!.reason).to.equal('end of stream');
    expect(s.stats()).to.include({ framesIn: 23, framesEmitted: 23, framesDropped: 0, restarts: 0 });
  });

  it('outputs the requested size and a second scaled output from the same decode', async () => {
    const s = make({ cameraId: 'mp4', url: SAMPLE_VIDEO(), width: 384, height: 216, scaled: { width: 96, height: 54 } });
    const p = collect(s, 12);
    s.start();
    const frames = await p;
    for (const f of frames) {
      expect([f.width, f.height, f.data.length]).to.deep.equal([384, 216, 384 * 216 * 3]);
      expect([f.scaled?.width, f.scaled?.height, f.scaled?.data.length]).to.deep.equal([96, 54, 96 * 54 * 3]);
      // Same picture: channel means of the two outputs agree within 4 levels (bilinear downscale).
      const a = meanRgb(f.data);
      const b = meanRgb(f.scaled!.data);
      for (let c = 0; c < 3; c++) expect(Math.abs(a[c]! - b[c]!)).to.be.below(4);
    }
    expect(s.probe).to.include({ codec: 'h264', width: 768, height: 432, fps: 10 });
  });

  it('loops a file forever, paced at native rate (frames continue past the end without a restart)', async () => {
    // people-detection.gif: 23 frames, 1.91 s at 12 fps
    const s = make({ cameraId: 'loop', url: dataPath('video', 'people-detection.gif'), loop: true, width: 160, height: 90 });
    const t0 = Date.now();
    const p = collect(s, 40);
    s.start();
    const frames = await p;
    const elapsed = Date.now() - t0;
    expect(frames.at(-1)!.seq).to.equal(39);
    expect(s.stats().restarts).to.equal(0);
    expect(s.state).to.equal('streaming');
    // 40 frames at 12 fps ≈ 3.3 s; paced means not much faster (tolerance: ≥ 2.4 s)
    expect(elapsed).to.be.above(2400);
    // The loop replays the file: frame 23 is the first frame again.
    expect(Buffer.from(frames[23]!.data).equals(Buffer.from(frames[0]!.data))).to.equal(true);
  });

  it('streams the synthetic test pattern at its rate, and caps the rate with maxFps (drop-only)', async () => {
    const s = make({ cameraId: 'syn', url: 'testsrc://?size=160x120&rate=20' });
    const frames = await (async () => {
      const p = collect(s, 20);
      s.start();
      return p;
    })();
    expect(frames[0]).to.include({ width: 160, height: 120 });
    expect(s.stats().fps).to.be.within(14, 26); // 20 fps ± 30 %
    const capped = make({ cameraId: 'cap', url: 'testsrc://?size=160x120&rate=20', maxFps: 5 });
    const p = collect(capped, 8);
    capped.start();
    await p;
    expect(capped.stats().fps).to.be.within(3.5, 6.5); // 5 fps ± 30 %
    expect(capped.state).to.equal('streaming');
  });

  it('reads a progressive MP4 over HTTP from a local static server', async () => {
    const srv = await startStaticServer({ '/v.mp4': SAMPLE_VIDEO() });
    try {
      const s = make({ cameraId: 'http', url: srv.url('/v.mp4'), width: 192, height: 108 });
      const p = collect(s, 10);
      s.start();
      const frames = await p;
      expect(frames.map((f) => f.data.length)).to.deep.equal(Array(10).fill(192 * 108 * 3));
      expect(srv.requests.some((r) => r.startsWith('GET /v.mp4 2'))).to.equal(true);
      await s.close();
    } finally {
      await srv.close();
    }
  });

  it('restarts at the new size when the input resolution changes mid-stream (native output)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ingest-res-'));
    try {
      const mk = (size: string, name: string): void =>
        void execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=10`, '-t', '1', '-c:v', 'mpeg2video', '-f', 'mpegts', join(dir, name)]);
      mk('320x240', 'a.ts');
      mk('160x120', 'b.ts');
      execFileSync('sh', ['-c', `cat "${dir}/a.ts" "${dir}/b.ts" > "${dir}/ab.ts"`]);
      const s = make({ cameraId: 'res', url: join(dir, 'ab.ts'), loop: true, retry: { initialDelayMs: 50, maxDelayMs: 100 } });
      const resized = new Promise((r) => s.once('resolution', r));
      const sizes = new Set<string>();
      s.frames$.subscribe((f) => {
        expect(f.data.length).to.equal(f.width * f.height * 3);
        sizes.add(`${f.width}x${f.height}`);
      });
      s.start();
      expect(await resized).to.deep.include({ from: { width: 320, height: 240 }, to: { width: 160, height: 120 } });
      const deadline = Date.now() + 10_000;
      while (!sizes.has('160x120') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect([...sizes]).to.include.members(['320x240', '160x120']);
      expect(s.stats().restarts).to.be.at.least(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
