import { expect } from 'chai';
import { createServer, type Socket } from 'node:net';
import { addLogSink, type LogRecord } from '../../src/core/logger.js';
import { FrameSource, probeSource, SourceError, SourceErrorCode } from '../../src/ingest/index.js';
import { SAMPLE_VIDEO } from '../helpers/fixtures.js';
import { waitNoFfmpeg } from '../helpers/processes.js';
import { freePort, RtspTestServer } from '../helpers/rtsp.js';
import { collect, record } from './source-helpers.js';

async function probeError(url: string, opts: Parameters<typeof probeSource>[1] = {}): Promise<SourceError> {
  const e = await probeSource(url, { cameraId: 'cam-rtsp', ...opts }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).to.be.instanceOf(SourceError);
  return e as SourceError;
}

describe('ingest/FrameSource over RTSP (GStreamer server on 127.0.0.1)', function () {
  this.timeout(60_000);
  let server: RtspTestServer;
  let authServer: RtspTestServer;
  const logs: LogRecord[] = [];
  let removeSink: () => void;
  const SECRET = 'S3cr3t-pw';

  before(async () => {
    removeSink = addLogSink((r) => logs.push(r));
    [server, authServer] = await Promise.all([
      RtspTestServer.start({ file: SAMPLE_VIDEO() }),
      RtspTestServer.start({ file: SAMPLE_VIDEO(), user: 'admin', password: SECRET }),
    ]);
  });
  after(async () => {
    removeSink();
    await Promise.all([server?.stop(), authServer?.stop()]);
    expect(await waitNoFfmpeg(5000), 'ffmpeg children left').to.deep.equal([]);
  });

  it('probes the stream and delivers frames of the requested size at the camera rate', async () => {
    const info = await probeSource(server.url(), { cameraId: 'cam-rtsp' });
    expect(info).to.include({ codec: 'h264', width: 768, height: 432 });
    expect(info.fps).to.be.within(9.9, 10.1);
    const s = new FrameSource({ cameraId: 'cam-rtsp', url: server.url(), width: 384, height: 216 });
    try {
      const p = collect(s, 40);
      s.start();
      const frames = await p;
      expect(frames.map((f) => f.data.length)).to.deep.equal(Array(40).fill(384 * 216 * 3));
      expect(frames.map((f) => f.seq)).to.deep.equal([...Array(40).keys()]);
      // FFmpeg releases the packets it buffered while analysing the stream in a burst; after that the camera's
      // real-time rate shows: 10 fps ± 30 % over frames 28..39.
      const fps = (11 * 1000) / (frames[39]!.capturedAtMs - frames[28]!.capturedAtMs);
      expect(fps).to.be.within(7, 13);
    } finally {
      await s.close();
    }
    expect(await waitNoFfmpeg(3000)).to.deep.equal([]);
  });

  it('recovers after the server goes away: reconnecting while down, streaming again within 5 s of it coming back', async () => {
    const s = new FrameSource({ cameraId: 'cam-recover', url: server.url(), width: 192, height: 108, stallTimeoutMs: 2000, retry: { initialDelayMs: 200, maxDelayMs: 1000 } });
    const rec = record(s);
    try {
      const streaming = rec.waitFor('streaming', 20_000);
      s.start();
      await streaming;
      const down = Promise.race([rec.waitFor('reconnecting', 10_000), rec.waitFor('stalled', 10_000)]);
      await server.stop();
      const e = await down;
      expect(['reconnecting', 'stalled']).to.include(e.state);
      expect(e.previous).to.equal('streaming');
      await new Promise((r) => setTimeout(r, 1500)); // a few refused reconnects while it is down
      const back = rec.waitFor('streaming', 15_000);
      await server.start();
      const upAt = Date.now();
      const again = await back;
      const recoveryMs = again.atMs - upAt;
      expect(recoveryMs, `recovered in ${recoveryMs} ms`).to.be.below(5000);
      expect(s.stats().restarts).to.be.at.least(1);
      const refused = rec.states.filter((x) => x.state === 'reconnecting' && x.code === SourceErrorCode.REFUSED);
      expect(refused.length, 'reconnect attempts while the server was down').to.be.at.least(1);
    } finally {
      await s.close();
    }
  });

  it('a frozen server (SIGSTOP: connection open, no bytes) is reported stalled, then streams again after SIGCONT', async () => {
    const s = new FrameSource({ cameraId: 'cam-frozen', url: server.url(), width: 96, height: 54, stallTimeoutMs: 1000, ioTimeoutMs: 20_000, retry: { initialDelayMs: 100, maxDelayMs: 300 } });
    const rec = record(s);
    try {
      const streaming = rec.waitFor('streaming', 20_000);
      s.start();
      await streaming;
      const stalled = rec.waitFor('stalled', 10_000);
      server.signal('SIGSTOP');
      const e = await stalled;
      expect(e.code).to.equal(SourceErrorCode.STALLED);
      const back = rec.waitFor('streaming', 20_000);
      server.signal('SIGCONT');
      await back;
    } finally {
      server.signal('SIGCONT');
      await s.close();
    }
  });

  it('wrong path → ERR_SOURCE_NOT_FOUND_REMOTE (404)', async () => {
    const e = await probeError(server.url(undefined, '/nope'));
    expect(e.code).to.equal(SourceErrorCode.NOT_FOUND_REMOTE);
    expect(e.message).to.include('camera:cam-rtsp');
    const s = new FrameSource({ cameraId: 'cam-404', url: server.url(undefined, '/nope'), width: 64, height: 64, retry: { maxRetries: 0 } });
    const rec = record(s);
    const failed = rec.waitFor('failed', 15_000);
    s.start();
    expect((await failed).code).to.equal(SourceErrorCode.NOT_FOUND_REMOTE);
    await s.close();
  });

  it('bad credentials → ERR_SOURCE_UNAUTHORIZED (401); good ones stream; the password never appears in errors, events or logs', async () => {
    const bad = authServer.url({ user: 'admin', password: 'wrong-pw' });
    const e = await probeError(bad);
    expect(e.code).to.equal(SourceErrorCode.UNAUTHORIZED);
    const s = new FrameSource({ cameraId: 'cam-401', url: bad, retry: { maxRetries: 1, initialDelayMs: 50 } });
    const rec = record(s);
    const failed = rec.waitFor('failed', 15_000);
    s.start();
    expect((await failed).code).to.equal(SourceErrorCode.UNAUTHORIZED);
    await s.close();
    const good = new FrameSource({ cameraId: 'cam-auth', url: authServer.url({ user: 'admin', password: SECRET }), width: 64, height: 36 });
    const grec = record(good);
    const p = collect(good, 3);
    good.start();
    expect((await p).length).to.equal(3);
    await good.close();
    const everything = JSON.stringify([e.toJSON(), e.message, rec.states, rec.errors.map((x) => [x.message, x.toJSON()]), grec.states, logs, good.spec.redacted]);
    expect(everything).to.not.include('wrong-pw');
    expect(everything).to.not.include(SECRET);
    expect(everything).to.include('admin:***@');
  });

  it('refused port → ERR_SOURCE_REFUSED; a listener that never answers → ERR_SOURCE_TIMEOUT (no traffic leaves 127.0.0.1)', async () => {
    const port = await freePort();
    expect((await probeError(`rtsp://127.0.0.1:${port}/x`)).code).to.equal(SourceErrorCode.REFUSED);
    const sockets = new Set<Socket>();
    const mute = createServer((sock) => void sockets.add(sock));
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
    try {
      const mport = (mute.address() as { port: number }).port;
      const t0 = Date.now();
      const e = await probeError(`rtsp://127.0.0.1:${mport}/x`, { ioTimeoutMs: 1500 });
      expect(e.code).to.equal(SourceErrorCode.TIMEOUT);
      expect(Date.now() - t0).to.be.below(8000);
      const e2 = await probeError(`http://127.0.0.1:${mport}/x.mp4`, { ioTimeoutMs: 1500 });
      expect(e2.code).to.equal(SourceErrorCode.TIMEOUT);
    } finally {
      for (const k of sockets) k.destroy();
      await new Promise((r) => mute.close(r));
    }
  });
});
