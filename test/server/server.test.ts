/**
 * The real server end to end on loopback: a GStreamer RTSP camera (the sample video, with credentials)
 * attached over REST, the default model, the tracker, and every transport — WebSocket JSON + JPEG,
 * MJPEG, WHEP (a node @roamhq/wrtc peer), /metrics — plus auth, validation, back-pressure and removal.
 * One server (one model session) for the whole suite; the model runs ~0.3–2 s per frame on 2 shared
 * cores, so assertions wait for few frames with generous timeouts.
 */
import { expect } from 'chai';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import WebSocket from 'ws';
import type * as WrtcModule from '@roamhq/wrtc';
import { resolveFfmpeg } from '../../src/ingest/ffmpeg-binary.js';
import { SAMPLE_VIDEO, repoRoot } from '../helpers/fixtures.js';
import { descendants } from '../helpers/processes.js';
import { RtspTestServer } from '../helpers/rtsp.js';
import { startTestServer, waitFor, type TestServer } from '../helpers/server.js';
import { parsePrometheus } from './prometheus.js';

const wrtc = createRequire(import.meta.url)('@roamhq/wrtc') as typeof WrtcModule;
const TOKEN = 'test-token-0123456789';
const PASSWORD = 's3cret-pw';
const WS_MAX_BUFFERED_KIB = 32;

interface SegmentMsg {
  type: 'segments';
  cameraId: string;
  seq: number;
  width: number;
  height: number;
  segments: { trackId: number; category: string; isThing: boolean; mask?: { size: [number, number]; counts: string } }[];
}

/** A WebSocket client that records every message. */
class WsClient {
  readonly ws: WebSocket;
  readonly json: Record<string, unknown>[] = [];
  readonly binary: Buffer[] = [];
  readonly opened: Promise<void>;
  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) this.binary.push(data);
      else this.json.push(JSON.parse(data.toString('utf8')) as Record<string, unknown>);
    });
  }
  send(msg: unknown): void {
    this.ws.send(JSON.stringify(msg));
  }
  segments(): SegmentMsg[] {
    return this.json.filter((m) => m.type === 'segments') as unknown as SegmentMsg[];
  }
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((r) => this.ws.once('close', r));
    this.ws.close();
    await closed;
  }
}

const ffmpegPids = (): number[] => descendants().filter((p) => p.comm === 'ffmpeg' && p.state !== 'Z').map((p) => p.pid);
const alive = (pid: number): boolean => descendants().some((p) => p.pid === pid && p.state !== 'Z');

describe('server: live RTSP camera through model, tracker and every transport', function () {
  // Generous: on a loaded 2-core machine the event loop stalls ~1 s per model frame (the composite's
  // decode runs on it). Unloaded, the whole suite takes about a minute.
  this.timeout(180_000);
  let rtsp: RtspTestServer;
  let srv: TestServer;
  const clients: WsClient[] = [];
  let slow: ChildProcess | undefined;
  let clip: string;

  before(async function () {
    this.timeout(90_000);
    // The sample video's people enter ~8 s in, and the RTSP server starts every client at 0: serve a
    // stream copy from 10 s on so the first frames already show a person (few frames fit in a test).
    clip = join(mkdtempSync(join(tmpdir(), 'server-test-')), 'people.mp4');
    execFileSync(resolveFfmpeg(), ['-v', 'error', '-y', '-ss', '10', '-i', SAMPLE_VIDEO(), '-t', '60', '-c', 'copy', '-an', '-avoid_negative_ts', 'make_zero', clip]);
    rtsp = await RtspTestServer.start({ file: clip, user: 'viewer', password: PASSWORD });
    // JPEG quality 100: big frames, so the slow-client test fills the kernel's socket buffers (MiBs on
    // loopback) within a few frames and reaches the server's own newest-wins limit.
    // Ping interval 5 min: the paused client must stay connected (not be dropped for a missing pong)
    // long enough to show the newest-wins bound.
    srv = await startTestServer({ server: { token: TOKEN }, outputs: { wsMaxBufferedKiB: WS_MAX_BUFFERED_KIB, jpegQuality: 100, wsPingIntervalMs: 300_000 } });
  });

  after(async function () {
    this.timeout(60_000);
    for (const c of clients) await c.close().catch(() => undefined);
    if (slow && slow.exitCode === null) {
      const exited = new Promise((r) => slow!.once('exit', r));
      slow.kill('SIGTERM');
      await exited;
    }
    await srv?.close();
    await rtsp?.stop();
    if (clip) rmSync(dirname(clip), { recursive: true, force: true });
    expect(ffmpegPids(), 'FFmpeg children left after close').to.deep.equal([]);
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = srv.auth) =>
    fetch(srv.base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  it('refuses mutations without the bearer token (401) and names the bad field of malformed bodies (400)', async () => {
    const url = rtsp.url({ user: 'viewer', password: PASSWORD });
    expect((await post('/api/cameras', { id: 'x', url }, {})).status).to.equal(401);
    expect((await post('/api/cameras', { id: 'x', url }, { authorization: 'Bearer wrong-token-000000' })).status).to.equal(401);
    expect((await fetch(`${srv.base}/api/cameras/x`, { method: 'DELETE' })).status).to.equal(401);
    expect((await fetch(`${srv.base}/api/cameras`)).status, 'reads are open').to.equal(200);

    const cases: [unknown, string][] = [
      [{ id: 'x', url: 'javascript:alert(1)' }, 'body.url'],
      [{ id: 'x' }, 'body.url'],
      [{ id: 'x', url, loop: 'yes' }, 'body.loop'],
      [{ id: 'x', url, maxFps: -3 }, 'body.maxFps'],
      [{ id: 'x', url, colour: 'red' }, 'body.colour'],
      [{ id: 'bad id!', url }, 'body.id'],
      ['{"id": "x", url', 'body'],
    ];
    for (const [body, field] of cases) {
      const res = await post('/api/cameras', body);
      const json = (await res.json()) as { error: { field: string; message: string } };
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(json.error.field, JSON.stringify(body)).to.equal(field);
      expect(json.error.message).to.be.a('string').and.not.include(PASSWORD);
    }
    expect(srv.app.pipeline.list()).to.have.length(0);
  });

  it('attaches the RTSP camera over REST, reports state and stats, and never shows the password', async () => {
    const res = await post('/api/cameras', { id: 'lobby', name: 'Lobby', url: rtsp.url({ user: 'viewer', password: PASSWORD }) });
    const text = await res.text();
    expect(res.status, text).to.equal(201);
    expect(res.headers.get('location')).to.equal('/api/cameras/lobby');
    expect(text).to.not.include(PASSWORD);
    expect((await post('/api/cameras', { id: 'lobby', url: 'testsrc:' })).status, 'duplicate id').to.equal(409);
    const status = await waitFor(
      'a processed frame',
      async () => {
        const s = (await (await fetch(`${srv.base}/api/cameras/lobby`)).json()) as { state: string; processed: number; url: string; width?: number };
        return s.state === 'streaming' && s.processed >= 1 ? s : undefined;
      },
      60_000,
      250,
    );
    expect(status.url).to.equal(`rtsp://viewer:***@127.0.0.1:${rtsp.port}/cam`);
    expect(status.width).to.equal(768);
    const list = await (await fetch(`${srv.base}/api/cameras`)).text();
    expect(list).to.include('"lobby"').and.not.include(PASSWORD);
  });

  it('WebSocket: segment JSON with persons keeping their track id, masks, and annotated JPEGs that decode', async () => {
    const c = new WsClient(`ws://127.0.0.1:${srv.app.port}/ws`);
    clients.push(c);
    await c.opened;
    c.send({ type: 'subscribe', cameras: ['nope'] });
    c.send({ type: 'subscribe', cameras: ['lobby'], masks: true, frames: true });
    c.send({ type: 'ping', id: 7 });
    const withPerson = (m: SegmentMsg) => m.segments.some((s) => s.isThing && s.category === 'person');
    await waitFor('3 frames with a person', () => c.segments().filter(withPerson).length >= 3, 90_000, 200);
    expect(c.json.find((m) => m.type === 'error')).to.include({ code: 'ERR_CAMERA_NOT_FOUND', field: 'message.cameras' });
    expect(c.json.find((m) => m.type === 'pong')).to.include({ id: 7 });
    const frames = c.segments().filter(withPerson);
    for (const m of frames) {
      expect(m.cameraId).to.equal('lobby');
      expect([m.width, m.height]).to.deep.equal([768, 432]);
      for (const s of m.segments) expect(s.mask?.size, 'RLE mask size is [h, w]').to.deep.equal([432, 768]);
    }
    // Stable ids: a person track of one frame is still there (same id) in the next frame with a person.
    const ids = frames.map((m) => new Set(m.segments.filter((s) => s.category === 'person').map((s) => s.trackId)));
    const kept = ids.slice(1).filter((set, i) => [...set].some((id) => ids[i]!.has(id))).length;
    expect(kept, `person track ids per frame: ${ids.map((s) => [...s].join('/')).join(', ')}`).to.be.at.least(ids.length - 2);
    // Binary frames: uint32 header length, JSON header, JPEG.
    expect(c.binary.length).to.be.at.least(1);
    const buf = c.binary.at(-1)!;
    const hlen = buf.readUInt32BE(0);
    const header = JSON.parse(buf.subarray(4, 4 + hlen).toString('utf8')) as { cameraId: string; width: number; height: number; seq: number };
    const meta = await sharp(buf.subarray(4 + hlen)).metadata();
    expect(header).to.include({ cameraId: 'lobby', width: 768, height: 432 });
    expect([meta.format, meta.width, meta.height]).to.deep.equal(['jpeg', 768, 432]);
    await c.close();
  });

  it('MJPEG: a multipart stream of decodable JPEGs; snapshot.jpg decodes', async () => {
    const ctl = new AbortController();
    const res = await fetch(`${srv.base}/api/cameras/lobby/mjpeg`, { signal: ctl.signal });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^multipart\/x-mixed-replace; boundary=/);
    const reader = res.body!.getReader();
    let acc = Buffer.alloc(0);
    const jpegs: Buffer[] = [];
    const deadline = Date.now() + 30_000;
    while (jpegs.length < 2 && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      acc = Buffer.concat([acc, Buffer.from(value)]);
      for (;;) {
        const h = acc.indexOf('\r\n\r\n');
        if (h < 0) break;
        const len = Number(/content-length: (\d+)/i.exec(acc.subarray(0, h).toString())?.[1]);
        if (acc.length < h + 4 + len) break;
        jpegs.push(acc.subarray(h + 4, h + 4 + len));
        acc = acc.subarray(h + 4 + len);
      }
    }
    ctl.abort();
    await reader.cancel().catch(() => undefined);
    expect(jpegs.length).to.be.at.least(2);
    const meta = await sharp(jpegs[1]).metadata();
    expect([meta.format, meta.width, meta.height]).to.deep.equal(['jpeg', 768, 432]);
    const snap = await fetch(`${srv.base}/api/cameras/lobby/snapshot.jpg?view=side-by-side`);
    expect(snap.status).to.equal(200);
    const smeta = await sharp(Buffer.from(await snap.arrayBuffer())).metadata();
    expect([smeta.width, smeta.height], 'side-by-side is two panels wide').to.deep.equal([1536, 432]);
    expect((await fetch(`${srv.base}/api/cameras/lobby/snapshot.jpg?view=bogus`)).status).to.equal(400);
  });

  /** A node WebRTC peer's WHEP session: POSTs its offer (timed) and hands back the answer and a first-frame probe. */
  async function whepPeer(query = ''): Promise<{ pc: InstanceType<typeof wrtc.RTCPeerConnection>; res: Response; answer: string; answerMs: number; firstFrame(ms: number): Promise<{ width: number; height: number }> }> {
    const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
    pc.addTransceiver('video', { direction: 'recvonly' });
    let remoteTrack: MediaStreamTrack | undefined;
    pc.ontrack = (e) => (remoteTrack = e.track);
    await pc.setLocalDescription(await pc.createOffer());
    await waitFor('ICE gathering', () => pc.iceGatheringState === 'complete', 5000, 20);
    const t0 = performance.now();
    const res = await fetch(`${srv.base}/whep/lobby${query}`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription!.sdp });
    const answer = await res.text();
    const answerMs = performance.now() - t0;
    if (res.status === 201) await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    const firstFrame = async (ms: number): Promise<{ width: number; height: number }> => {
      const track = await waitFor('the remote video track', () => remoteTrack, 15_000, 20);
      const sink = new wrtc.nonstandard.RTCVideoSink(track);
      try {
        return await new Promise((resolve, reject) => {
          const t = setTimeout(() => reject(new Error(`no video frame within ${ms} ms`)), ms);
          sink.onframe = ({ frame: f }: { frame: { width: number; height: number } }) => {
            clearTimeout(t);
            resolve({ width: f.width, height: f.height });
          };
        });
      } finally {
        sink.stop();
      }
    };
    return { pc, res, answer, answerMs, firstFrame };
  }

  it('WHEP: a node WebRTC peer negotiates on loopback (no STUN), gets its answer well under the 5 s cap, and receives 768×432 video frames', async () => {
    const peer = await whepPeer();
    const { pc, res, answer } = peer;
    try {
      expect(res.status, answer).to.equal(201);
      expect(res.headers.get('content-type')).to.equal('application/sdp');
      const location = res.headers.get('location')!;
      expect(location).to.match(/^\/whep\/lobby\/[0-9a-f-]{36}$/);
      expect(answer, 'answer carries host candidates').to.match(/a=candidate:.* typ host/);
      // The server answers once gathering is done (complete, end-of-candidates, or 250 ms without a new
      // host candidate), never by running into its 5 s cap; 3 s leaves room for a loaded machine.
      console.log(`      WHEP answer after ${peer.answerMs.toFixed(0)} ms`);
      expect(peer.answerMs, 'answer time in ms').to.be.below(3000);
      const frame = await peer.firstFrame(40_000);
      expect([frame.width, frame.height]).to.deep.equal([768, 432]);
      expect(srv.app.server.whep.sessionsOf('lobby')).to.have.length(1);
      expect((await fetch(srv.base + location, { method: 'DELETE' })).status).to.equal(200);
      expect(srv.app.server.whep.sessionsOf('lobby')).to.have.length(0);
      expect((await fetch(srv.base + location, { method: 'DELETE' })).status).to.equal(404);
    } finally {
      pc.close();
    }
  });

  it('WHEP ?view= picks the render mode per session (depth and side-by-side receive frames; a bad view is a 400 naming it)', async () => {
    const bad = await whepPeer('?view=bogus');
    bad.pc.close();
    expect(bad.res.status).to.equal(400);
    const err = (JSON.parse(bad.answer) as { error: { field: string; message: string } }).error;
    expect(err.field).to.equal('query.view');
    expect(err.message).to.include('bogus').and.include('overlay, raw, depth, side-by-side');
    const [depth, sbs] = await Promise.all([whepPeer('?view=depth'), whepPeer('?view=side-by-side')]);
    try {
      expect(depth.res.status, depth.answer).to.equal(201);
      expect(sbs.res.status, sbs.answer).to.equal(201);
      expect(srv.app.server.whep.sessionsOf('lobby').map((s) => s.view).sort()).to.deep.equal(['depth', 'side-by-side']);
      const [d, s] = await Promise.all([depth.firstFrame(40_000), sbs.firstFrame(40_000)]);
      expect([d.width, d.height], 'depth frame').to.deep.equal([768, 432]);
      expect([s.width, s.height], 'side-by-side is two panels wide').to.deep.equal([1536, 432]);
      const frames = srv.app.server.whep.sessionsOf('lobby').map((x) => x.framesSent);
      expect(Math.min(...frames), 'frames sent per session').to.be.at.least(1);
    } finally {
      for (const p of [depth, sbs]) {
        const loc = p.res.headers.get('location');
        if (loc) await fetch(srv.base + loc, { method: 'DELETE' });
        p.pc.close();
      }
    }
    expect(srv.app.server.whep.sessionsOf('lobby')).to.have.length(0);
  });

  it('a paused WebSocket client holds at most one pending frame and one socket buffer; others keep flowing', async () => {
    const fast = new WsClient(`ws://127.0.0.1:${srv.app.port}/ws`);
    clients.push(fast);
    await fast.opened;
    fast.send({ type: 'subscribe', cameras: ['lobby'] });
    const sub = JSON.stringify({ type: 'subscribe', cameras: ['lobby'], masks: true, frames: true, view: 'side-by-side' });
    slow = spawn('/usr/bin/python3', [join(repoRoot, 'test', 'server', 'slow-ws-client.py'), String(srv.app.port), '/ws', sub, '4096'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    slow.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor('slow client subscribed', () => out.includes('SUBSCRIBED'), 30_000, 50);
    // The slow client is the one subscribed with frames (the fast one takes JSON only).
    const statsOfSlow = () => srv.app.server.ws.clientStats().find((c) => c.cameras.some((x) => x.frames));
    // Run until the slow client has had frames dropped for it (it is back-pressured) — bounded by the deadline.
    const fastBefore = fast.segments().length;
    let maxPending = 0;
    let maxBuffered = 0;
    let maxMessage = 0;
    const end = Date.now() + 90_000;
    let s = statsOfSlow();
    while (Date.now() < end) {
      s = statsOfSlow();
      if (s) {
        maxPending = Math.max(maxPending, ...s.cameras.map((x) => x.pending));
        maxBuffered = Math.max(maxBuffered, s.bufferedAmount);
      }
      const last = srv.app.pipeline.get('lobby')!.latest;
      if (last) maxMessage = Math.max(maxMessage, (await last.jpeg('side-by-side')).length + last.messageJson(true).length + 1024);
      if (s && s.cameras[0]!.dropped >= 2 && fast.segments().length >= fastBefore + 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(s, 'slow client still connected').to.not.equal(undefined);
    expect(s!.cameras[0]!.dropped, 'frames were replaced for the stalled client (it was back-pressured)').to.be.at.least(2);
    expect(maxPending, 'pending frames per camera').to.be.at.most(1);
    // Sending stops once bufferedAmount exceeds the limit, so it can overshoot by at most one frame's messages.
    const bound = WS_MAX_BUFFERED_KIB * 1024 + maxMessage;
    expect(s!.maxBufferedSeen, `bufferedAmount bound ${bound} B`).to.be.at.most(bound);
    expect(maxBuffered).to.be.at.most(bound);
    expect(fast.segments().length, 'the fast client kept receiving').to.be.at.least(fastBefore + 3);
    const dropped = parsePrometheus(await (await fetch(`${srv.base}/metrics`)).text()).samples.find((x) => x.name === 'panoptic_ws_messages_dropped_total');
    expect(dropped?.value).to.be.at.least(2);
  });

  it('/metrics is valid Prometheus text with per-camera rates, states, latency histograms and subscribers', async () => {
    const res = await fetch(`${srv.base}/metrics`);
    expect(res.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
    const { samples, types } = parsePrometheus(await res.text());
    const one = (name: string, labels: Record<string, string> = {}) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
    expect(one('panoptic_camera_frames_processed', { camera: 'lobby' })?.value).to.be.at.least(3);
    expect(one('panoptic_camera_fps_in', { camera: 'lobby' })?.value).to.be.greaterThan(0);
    expect(one('panoptic_camera_state', { camera: 'lobby', state: 'streaming' })?.value).to.equal(1);
    expect(one('panoptic_camera_reconnects', { camera: 'lobby' })).to.not.equal(undefined);
    expect(types.get('panoptic_e2e_latency_ms')).to.equal('histogram');
    expect(one('panoptic_e2e_latency_ms_count', { camera: 'lobby' })?.value).to.be.at.least(3);
    expect(one('panoptic_inference_latency_ms_count', { camera: 'lobby' })?.value).to.be.at.least(3);
    expect(one('panoptic_batch_size_count')?.value).to.be.at.least(3);
    expect(one('panoptic_subscribers', { transport: 'ws', camera: 'lobby' })?.value).to.be.at.least(1);
    // Buckets are cumulative and end with +Inf = count.
    const buckets = samples.filter((s) => s.name === 'panoptic_e2e_latency_ms_bucket' && s.labels.camera === 'lobby');
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.value).to.be.at.least(buckets[i - 1]!.value);
    expect(buckets.at(-1)!.labels.le).to.equal('+Inf');
    expect(buckets.at(-1)!.value).to.equal(one('panoptic_e2e_latency_ms_count', { camera: 'lobby' })!.value);
  });

  it('DELETE ends the camera: its FFmpeg exits, its WebRTC peers close, its subscriptions end', async () => {
    const pids = ffmpegPids();
    expect(pids.length, 'one FFmpeg for the camera').to.be.at.least(1);
    const c = new WsClient(`ws://127.0.0.1:${srv.app.port}/ws`);
    clients.push(c);
    await c.opened;
    c.send({ type: 'subscribe', cameras: ['lobby'] });
    await waitFor('subscribed', () => c.json.some((m) => m.type === 'subscribed'), 30_000, 20);
    const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
    pc.addTransceiver('video', { direction: 'recvonly' });
    await pc.setLocalDescription(await pc.createOffer());
    await waitFor('ICE gathering', () => pc.iceGatheringState === 'complete', 5000, 20);
    const res = await fetch(`${srv.base}/whep/lobby`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription!.sdp });
    expect(res.status).to.equal(201);
    await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
    const mjpeg = await fetch(`${srv.base}/api/cameras/lobby/mjpeg`);
    const mjpegDone = (async () => {
      const reader = mjpeg.body!.getReader();
      for (;;) if ((await reader.read()).done) return true;
    })();
    expect(srv.app.server.whep.sessionsOf('lobby').length).to.be.at.least(1);

    const del = await fetch(`${srv.base}/api/cameras/lobby`, { method: 'DELETE', headers: srv.auth });
    expect(del.status).to.equal(204);
    for (const pid of pids) expect(alive(pid), `FFmpeg ${pid} still running after DELETE`).to.equal(false);
    expect(srv.app.server.whep.sessionsOf('lobby')).to.have.length(0);
    expect(await Promise.race([mjpegDone, new Promise((r) => setTimeout(() => r(false), 30_000))]), 'MJPEG response ended').to.equal(true);
    await waitFor('removed message', () => c.json.some((m) => m.type === 'removed' && m.cameraId === 'lobby'), 30_000, 20);
    expect(srv.app.server.ws.subscriberCounts().get('lobby') ?? 0).to.equal(0);
    pc.close();
    expect((await fetch(`${srv.base}/api/cameras/lobby`)).status).to.equal(404);
    expect((await fetch(`${srv.base}/api/cameras/lobby`, { method: 'DELETE', headers: srv.auth })).status).to.equal(404);
  });
});
