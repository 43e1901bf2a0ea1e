/**
 * WebRTC egress with WHEP signalling (draft-ietf-wish-whep): `POST /whep/:cameraId[?view=MODE]` with an
 * SDP offer → `201 Created`, the SDP answer and `Location: /whep/:cameraId/:sessionId`; `DELETE` on that
 * resource ends the session. Each peer gets an `RTCVideoSource` (@roamhq/wrtc) fed the camera's
 * annotated frames in the session's render mode (`view`, default `outputs.mode`) as I420. The answer
 * is sent once ICE gathering is done (see `gathering()`), so it carries host candidates and works on
 * loopback/LAN without STUN (no trickle ICE). Peers close when their camera is removed, on DELETE, on
 * ICE failure, and on server close.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type * as WrtcModule from '@roamhq/wrtc';
import { createRequire } from 'node:module';
import type { Subscription } from 'rxjs';
import { createLogger } from '../core/logger.js';
import { errorMessage } from '../core/errors.js';
import type { ProcessedFrame, RenderMode } from '../streams/camera-pipeline.js';
import { parseView } from './api.js';
import type { ServerContext } from './context.js';
import { HttpError, readText } from './respond.js';
import type { Router } from './router.js';

type Wrtc = typeof WrtcModule;
type PeerConnection = InstanceType<Wrtc['RTCPeerConnection']>;

const log = createLogger('server:whep');
let wrtcModule: Wrtc | undefined;
/** Loaded on first use: the native addon costs startup time and memory when nobody watches. */
function wrtc(): Wrtc {
  return (wrtcModule ??= createRequire(import.meta.url)('@roamhq/wrtc') as Wrtc);
}

export interface WhepOptions {
  /** Longest wait for ICE gathering before answering with what was gathered, in ms (default 5000). */
  iceGatheringTimeoutMs?: number;
  /**
   * Gathering counts as done when at least one host candidate exists and no new candidate appeared for
   * this long, in ms (default 250) — @roamhq/wrtc does not always report `complete` promptly.
   */
  iceQuietMs?: number;
}

interface Session {
  id: string;
  cameraId: string;
  view: RenderMode | undefined;
  pc: PeerConnection;
  track: { stop(): void };
  sub?: Subscription;
  framesSent: number;
}

export class WhepTransport {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly ctx: ServerContext,
    private readonly opts: WhepOptions = {},
  ) {
    ctx.pipeline.on('removed', ({ id }) => {
      for (const s of [...this.sessions.values()]) if (s.cameraId === id) this.end(s, 'camera removed');
    });
  }

  register(router: Router): void {
    router.add('POST', '/whep/:cameraId', (c) => this.offer(c.params.cameraId!, c), { auth: 'streams' });
    router.add('DELETE', '/whep/:cameraId/:sessionId', ({ res, params }) => {
      const s = this.sessions.get(params.sessionId!);
      if (!s || s.cameraId !== params.cameraId) throw new HttpError(404, 'ERR_SESSION_NOT_FOUND', `WHEP session ${JSON.stringify(params.sessionId)} not found`);
      this.end(s, 'deleted by client');
      res.writeHead(200).end();
    }, { auth: 'streams' });
    // WHEP clients may PATCH trickle candidates; we answer with a complete candidate set instead.
    router.add('PATCH', '/whep/:cameraId/:sessionId', ({ res }) => {
      res.writeHead(405, { allow: 'DELETE' }).end();
    }, { auth: 'streams' });
  }

  private async offer(cameraId: string, c: { req: IncomingMessage; res: ServerResponse; url: URL }): Promise<void> {
    if (!this.ctx.config.outputs.whep) throw new HttpError(404, 'ERR_WHEP_DISABLED', 'WHEP is disabled (outputs.whep: false)');
    const pipe = this.ctx.pipeline.get(cameraId);
    if (!pipe) throw new HttpError(404, 'ERR_CAMERA_NOT_FOUND', `camera ${JSON.stringify(cameraId)} not found`, { field: 'cameraId' });
    const view = parseView(c.url);
    const type = c.req.headers['content-type'] ?? '';
    if (!type.startsWith('application/sdp')) throw new HttpError(415, 'ERR_VALIDATION', `content-type must be application/sdp, got ${JSON.stringify(type)}`, { field: 'content-type' });
    const sdp = await readText(c.req);
    if (!sdp.startsWith('v=0')) throw new HttpError(400, 'ERR_VALIDATION', 'body is not an SDP offer (must start with "v=0")', { field: 'body' });

    const w = wrtc();
    const pc = new w.RTCPeerConnection({ iceServers: [] });
    const source = new w.nonstandard.RTCVideoSource();
    const track = source.createTrack();
    const session: Session = { id: randomUUID(), cameraId, view, pc, track, framesSent: 0 };
    const startedAt = performance.now();
    const gathering = this.gathering(pc);
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp });
      // addTrack after the offer reuses the offer's recvonly video transceiver; the stream gives the
      // answer an a=msid line, which browsers (and node-webrtc's `track` event) need to surface it.
      pc.addTrack(track, new w.MediaStream([track]));
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      const why = await gathering.done;
      log.debug('ICE gathering done', { camera: cameraId, reason: why, ms: Math.round(performance.now() - startedAt) });
    } catch (err) {
      gathering.stop();
      track.stop();
      pc.close();
      throw new HttpError(400, 'ERR_SDP', `cannot negotiate: ${errorMessage(err)}`, { field: 'body' });
    }
    this.sessions.set(session.id, session);
    const feed = (p: ProcessedFrame): void => {
      try {
        const f = p.i420(session.view);
        source.onFrame({ width: f.width, height: f.height, data: f.data as Uint8Array });
        session.framesSent++;
      } catch (err) {
        log.warn('frame not sent', { camera: cameraId, error: errorMessage(err) });
      }
    };
    session.sub = pipe.output$.subscribe({ next: feed, complete: () => this.end(session, 'camera removed') });
    if (pipe.latest) feed(pipe.latest);
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed' || pc.connectionState === 'closed') this.end(session, `peer ${pc.connectionState}`);
    };
    const location = `/whep/${encodeURIComponent(cameraId)}/${session.id}`;
    c.res.writeHead(201, { 'content-type': 'application/sdp', location, 'cache-control': 'no-store' });
    c.res.end(pc.localDescription?.sdp ?? '');
    log.info('WHEP session started', { camera: cameraId, session: session.id, view: view ?? 'default' });
  }

  /**
   * Watches ICE gathering from before `setLocalDescription` (so no event is missed). `done` resolves with
   * the reason as soon as the state is `complete`, the end-of-candidates (null) event arrives, or at least
   * one host candidate exists and none appeared for `iceQuietMs`; at the latest after
   * `iceGatheringTimeoutMs` with whatever was gathered.
   */
  private gathering(pc: PeerConnection): { done: Promise<string>; stop(): void } {
    const quietMs = this.opts.iceQuietMs ?? 250;
    let finish: (why: string) => void = () => undefined;
    let lastCount = 0;
    let lastChangeAt = performance.now();
    const hostCandidates = (): number => (pc.localDescription?.sdp.match(/^a=candidate:.* typ host/gm) ?? []).length;
    const poll = setInterval(() => {
      if (pc.iceGatheringState === 'complete') return finish('complete');
      const n = hostCandidates();
      const now = performance.now();
      if (n !== lastCount) {
        lastCount = n;
        lastChangeAt = now;
      } else if (n > 0 && now - lastChangeAt >= quietMs) finish(`quiet ${quietMs} ms after ${n} host candidate(s)`);
    }, 50);
    const cap = setTimeout(() => finish('timeout'), this.opts.iceGatheringTimeoutMs ?? 5000);
    const stop = (): void => {
      clearInterval(poll);
      clearTimeout(cap);
      pc.onicegatheringstatechange = null;
      pc.onicecandidate = null;
    };
    const done = new Promise<string>((resolve) => {
      finish = (why) => {
        stop();
        resolve(why);
      };
    });
    pc.onicegatheringstatechange = () => {
      if (pc.iceGatheringState === 'complete') finish('complete');
    };
    pc.onicecandidate = (e) => {
      if (!e.candidate) finish('end-of-candidates');
      else lastChangeAt = performance.now();
    };
    return { done, stop };
  }

  private end(s: Session, why: string): void {
    if (!this.sessions.delete(s.id)) return;
    s.sub?.unsubscribe();
    s.track.stop();
    s.pc.close();
    log.info('WHEP session ended', { camera: s.cameraId, session: s.id, reason: why, framesSent: s.framesSent });
  }

  /** Open sessions (tests, status). */
  sessionsOf(cameraId?: string): { id: string; cameraId: string; view: RenderMode | undefined; framesSent: number; connectionState: string }[] {
    return [...this.sessions.values()]
      .filter((s) => cameraId === undefined || s.cameraId === cameraId)
      .map((s) => ({ id: s.id, cameraId: s.cameraId, view: s.view, framesSent: s.framesSent, connectionState: s.pc.connectionState }));
  }

  subscriberCounts(): Map<string, number> {
    const m = new Map<string, number>();
    for (const s of this.sessions.values()) m.set(s.cameraId, (m.get(s.cameraId) ?? 0) + 1);
    return m;
  }

  async close(): Promise<void> {
    for (const s of [...this.sessions.values()]) this.end(s, 'server closing');
  }
}
