/**
 * WebRTC playback with WHEP signalling: a recvonly video transceiver, the offer POSTed as `application/sdp` once
 * ICE gathering is complete (the server does no trickle ICE), the 201 answer applied, and the `Location` kept
 * for the DELETE that ends the session.
 */
import { authHeaders, api } from '../api.js';
import type { ViewMode } from '../protocol.js';
import { timeout, type Player } from './player.js';

/** Options of a WHEP player. */
export interface WhepOptions {
  /** How long to wait for ICE gathering before sending what we have, ms. Default 2000. */
  iceGatheringTimeoutMs?: number;
  /** How long to wait from the offer to the first decoded frame, ms. Default 15000. */
  firstFrameTimeoutMs?: number;
  /** Server-side render mode, sent as `?view=` on the POST. */
  view?: ViewMode;
}

function iceGatheringDone(pc: RTCPeerConnection, ms: number): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      window.clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    };
    const check = (): void => {
      if (pc.iceGatheringState === 'complete') done();
    };
    const timer = window.setTimeout(done, ms);
    pc.addEventListener('icegatheringstatechange', check);
  });
}

export class WhepPlayer implements Player {
  readonly transport = 'webrtc' as const;
  readonly element: HTMLVideoElement;
  onFail: ((reason: string) => void) | undefined;
  private pc: RTCPeerConnection | undefined;
  private location: string | undefined;
  private closed = false;
  private failed = false;

  constructor(
    private readonly cameraId: string,
    private readonly opts: WhepOptions = {},
  ) {
    const v = document.createElement('video');
    v.muted = true;
    v.autoplay = true;
    v.playsInline = true;
    v.setAttribute('playsinline', '');
    v.dataset.transport = 'webrtc';
    this.element = v;
  }

  async start(): Promise<void> {
    const pc = new RTCPeerConnection({ iceServers: [] });
    this.pc = pc;
    const video = this.element;
    const firstFrame = new Promise<void>((resolve, reject) => {
      pc.ontrack = (ev) => {
        video.srcObject = ev.streams[0] ?? new MediaStream([ev.track]);
        video.play().catch((e: unknown) => reject(new Error(`video.play: ${String(e)}`)));
      };
      const onFrame = (): void => {
        video.removeEventListener('loadeddata', onFrame);
        resolve();
      };
      video.addEventListener('loadeddata', onFrame);
    });
    pc.onconnectionstatechange = () => {
      const s = pc.connectionState;
      if (s === 'failed' || s === 'closed' || s === 'disconnected') this.fail(`WebRTC ${s}`);
    };
    try {
      pc.addTransceiver('video', { direction: 'recvonly' });
      await pc.setLocalDescription(await pc.createOffer());
      await iceGatheringDone(pc, this.opts.iceGatheringTimeoutMs ?? 2000);
      const url = new URL(api.whepUrl(this.cameraId));
      if (this.opts.view) url.searchParams.set('view', this.opts.view);
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/sdp', accept: 'application/sdp', ...authHeaders() },
        body: pc.localDescription?.sdp ?? '',
      });
      const body = await res.text();
      if (res.status !== 201) throw new Error(`WHEP POST ${res.status}: ${body.slice(0, 200)}`);
      const loc = res.headers.get('location');
      if (loc) this.location = new URL(loc, url).toString();
      if (this.closed) throw new Error('closed');
      await pc.setRemoteDescription({ type: 'answer', sdp: body });
      const t = timeout(this.opts.firstFrameTimeoutMs ?? 15000, 'WebRTC first frame');
      try {
        await Promise.race([firstFrame, t.promise]);
      } finally {
        t.cancel();
      }
    } catch (e) {
      this.close();
      throw e;
    }
  }

  framesShown(): number {
    const q = this.element.getVideoPlaybackQuality?.();
    return q ? q.totalVideoFrames : 0;
  }

  setView(_view: ViewMode): boolean {
    return false; // the render mode is fixed per WHEP session: the caller renegotiates
  }

  private fail(reason: string): void {
    if (this.closed || this.failed) return;
    this.failed = true;
    this.onFail?.(reason);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const loc = this.location;
    this.location = undefined;
    if (loc) {
      // Ends the server-side peer at once instead of waiting for ICE consent to expire.
      fetch(loc, { method: 'DELETE', headers: authHeaders(), keepalive: true }).catch(() => undefined);
    }
    this.pc?.close();
    this.pc = undefined;
    this.element.srcObject = null;
  }
}
