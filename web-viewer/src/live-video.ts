/**
 * Plays one camera with the first transport that works (WebRTC → WebSocket JPEG → MJPEG by default), watches
 * that frames keep coming, and starts over with backoff when the player fails or stalls.
 */
import type { LiveSocket } from './live-socket.js';
import { MjpegPlayer } from './players/mjpeg-player.js';
import type { Player } from './players/player.js';
import { WhepPlayer } from './players/whep-player.js';
import { WsJpegPlayer } from './players/ws-jpeg-player.js';
import { WHEP_SUPPORTS_VIEW, type ViewMode } from './protocol.js';
import { transportOrder, type Transport } from './settings.js';

export type PlayState = 'connecting' | 'playing' | 'stalled' | 'reconnecting' | 'failed';

/** Options of a live video. */
export interface LiveVideoOptions {
  /** First transport to try; the others follow as fallbacks. */
  preferred: Transport;
  view?: ViewMode;
  /** No new frame for this long marks the video stalled, ms. Default 3000. */
  stallAfterMs?: number;
  /** Stalled for this long restarts the transport chain, ms. Default 10000. */
  restartAfterMs?: number;
}

export class LiveVideo {
  readonly root: HTMLDivElement;
  state: PlayState = 'connecting';
  reason = '';
  /** Measured frames per second shown (0 for MJPEG, whose frames the browser does not count). */
  fps = 0;
  onChange: (() => void) | undefined;
  private player: Player | undefined;
  private closed = false;
  private generation = 0;
  private watchdog: number | undefined;
  private retryMs = 1000;
  private lastFrames = 0;
  private lastProgressAt = 0;
  private lastTickAt = 0;
  private readonly failures: string[] = [];
  private expectedFps = 0;

  constructor(
    private readonly socket: LiveSocket,
    readonly cameraId: string,
    private readonly opts: LiveVideoOptions,
  ) {
    this.root = document.createElement('div');
    this.root.className = 'live-video';
  }

  get transport(): Transport | undefined {
    return this.player?.transport;
  }

  get element(): Player['element'] | undefined {
    return this.player?.element;
  }

  get view(): ViewMode | undefined {
    return this.opts.view;
  }

  start(): void {
    void this.run(this.generation);
  }

  /** Switches the server-side render mode, renegotiating when the transport cannot switch in place. */
  setView(view: ViewMode): void {
    this.opts.view = view;
    // Back to a mode WebRTC can play while a fallback plays only because of the mode: renegotiate WebRTC.
    const webrtcAgain = this.opts.preferred === 'webrtc' && this.player?.transport !== 'webrtc' && (view === 'overlay' || WHEP_SUPPORTS_VIEW);
    if (!webrtcAgain && this.player?.setView(view)) return;
    this.restart('connecting', '');
  }

  /**
   * The camera's processed rate (from its status): a slow camera (a CPU model at 1 fps) must not look stalled,
   * so the stall and restart thresholds stretch to 3 and 10 frame intervals when those are longer.
   */
  setExpectedFps(fps: number | undefined): void {
    this.expectedFps = fps && fps > 0 ? fps : 0;
  }

  /** Starts over with `preferred` first. */
  setPreferred(preferred: Transport): void {
    this.opts.preferred = preferred;
    this.restart('connecting', '');
  }

  private restart(state: PlayState, reason: string): void {
    this.generation++;
    this.stopPlayer();
    this.set(state, reason);
    void this.run(this.generation);
  }

  private async run(gen: number): Promise<void> {
    this.failures.length = 0;
    const view = this.opts.view;
    const needsView = view !== undefined && view !== 'overlay' && !WHEP_SUPPORTS_VIEW;
    if (needsView && this.opts.preferred === 'webrtc') this.failures.push(`webrtc: no per-session ${view} mode on the server`);
    for (const t of transportOrder(this.opts.preferred)) {
      if (t === 'webrtc' && needsView) continue;
      if (this.closed || gen !== this.generation) return;
      const p = this.create(t);
      try {
        await p.start();
      } catch (e) {
        this.failures.push(`${t}: ${e instanceof Error ? e.message : String(e)}`);
        continue;
      }
      if (this.closed || gen !== this.generation) return p.close();
      this.player = p;
      p.element.classList.add('video');
      this.root.replaceChildren(p.element);
      p.onFail = (reason) => {
        if (gen === this.generation) this.scheduleRestart(reason);
      };
      this.retryMs = 1000;
      this.lastFrames = p.framesShown();
      this.lastProgressAt = this.lastTickAt = performance.now();
      this.set('playing', this.failures.length ? `fell back to ${t} (${this.failures.join('; ')})` : '');
      this.watchdog = window.setInterval(() => this.tick(), 1000);
      return;
    }
    this.scheduleRestart(this.failures.join('; ') || 'no transport available', 'failed');
  }

  private create(t: Transport): Player {
    const view = this.opts.view;
    if (t === 'webrtc') return new WhepPlayer(this.cameraId, { view });
    if (t === 'ws') return new WsJpegPlayer(this.socket, this.cameraId, view);
    return new MjpegPlayer(this.cameraId, view);
  }

  private tick(): void {
    const p = this.player;
    if (!p) return;
    const now = performance.now();
    const frames = p.framesShown();
    this.root.dataset.frames = String(frames);
    const dt = (now - this.lastTickAt) / 1000;
    this.fps = p.transport === 'mjpeg' ? 0 : Math.max(0, (frames - this.lastFrames) / dt);
    this.lastTickAt = now;
    if (frames > this.lastFrames || p.transport === 'mjpeg') {
      this.lastFrames = frames;
      this.lastProgressAt = now;
      if (this.state === 'stalled') this.set('playing', '');
    } else {
      const idleMs = now - this.lastProgressAt;
      const frameMs = this.expectedFps > 0 ? 1000 / this.expectedFps : 0;
      const stallMs = Math.max(this.opts.stallAfterMs ?? 3000, 3 * frameMs);
      const restartMs = Math.max(this.opts.restartAfterMs ?? 10000, 10 * frameMs);
      if (idleMs >= restartMs) this.scheduleRestart(`no frames for ${Math.round(idleMs / 1000)} s`);
      else if (idleMs >= stallMs) this.set('stalled', `no frames for ${Math.round(idleMs / 1000)} s`);
    }
    this.onChange?.();
  }

  private scheduleRestart(reason: string, state: PlayState = 'reconnecting'): void {
    const gen = ++this.generation;
    this.stopPlayer();
    this.set(state, `${reason}; retrying in ${Math.round(this.retryMs / 1000)} s`);
    window.setTimeout(() => {
      if (!this.closed && gen === this.generation) void this.run(gen);
    }, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, 15000);
  }

  private stopPlayer(): void {
    window.clearInterval(this.watchdog);
    this.watchdog = undefined;
    this.player?.close();
    this.player = undefined;
    this.fps = 0;
  }

  private set(state: PlayState, reason: string): void {
    this.state = state;
    this.reason = reason;
    this.root.dataset.state = state;
    this.onChange?.();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.generation++;
    this.stopPlayer();
    this.root.replaceChildren();
  }
}
