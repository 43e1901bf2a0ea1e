/** One camera in the grid: live video, state badge with reason, fps, transport; click opens the detail view. */
import { fmt, h, setChildren } from './dom.js';
import type { LiveSocket } from './live-socket.js';
import { LiveVideo } from './live-video.js';
import type { CameraStatus } from './protocol.js';
import type { Transport } from './settings.js';

export interface TileActions {
  open(cameraId: string): void;
  remove(cameraId: string): Promise<void>;
}

/** Badge text and tone from the server's camera state and the local player state. */
export function badgeFor(cam: CameraStatus, video: LiveVideo | undefined): { text: string; tone: string; title: string } {
  const server = cam.state;
  if (server !== 'streaming' && server !== 'running') {
    return { text: server, tone: server === 'stalled' || server === 'reconnecting' || server === 'starting' ? 'warn' : 'bad', title: cam.reason ?? '' };
  }
  if (!video || video.state === 'playing') return { text: 'streaming', tone: 'ok', title: video?.reason ?? '' };
  return { text: video.state, tone: video.state === 'failed' ? 'bad' : 'warn', title: video.reason };
}

export class CameraTile {
  readonly root: HTMLElement;
  private readonly video: LiveVideo;
  private readonly badge = h('span', { class: 'badge' });
  private readonly reason = h('div', { class: 'reason' });
  private readonly meta = h('span', { class: 'meta' });
  private readonly title = h('h3');
  private readonly removeBtn = h('button', { class: 'icon danger', type: 'button', title: 'Remove camera', 'aria-label': 'Remove camera' }, '✕');
  private confirmTimer: number | undefined;

  constructor(
    socket: LiveSocket,
    private cam: CameraStatus,
    preferred: Transport,
    private readonly actions: TileActions,
  ) {
    this.video = new LiveVideo(socket, cam.id, { preferred });
    this.video.onChange = () => this.render();
    const openBtn = h('button', { class: 'tile-open', type: 'button', 'aria-label': `Open ${cam.name}` }, this.video.root);
    openBtn.addEventListener('click', () => actions.open(this.cam.id));
    this.removeBtn.addEventListener('click', (ev) => {
      ev.stopPropagation();
      void this.onRemove();
    });
    this.root = h(
      'article',
      { class: 'tile', 'data-camera': cam.id },
      h('header', {}, this.title, this.badge, this.meta, this.removeBtn),
      openBtn,
      this.reason,
    );
    this.video.start();
    this.render();
  }

  /** Two-step remove: the first click arms the button for 3 s, the second removes. */
  private async onRemove(): Promise<void> {
    if (!this.removeBtn.classList.contains('armed')) {
      this.removeBtn.classList.add('armed');
      this.removeBtn.textContent = 'Remove?';
      this.confirmTimer = window.setTimeout(() => {
        this.removeBtn.classList.remove('armed');
        this.removeBtn.textContent = '✕';
      }, 3000);
      return;
    }
    window.clearTimeout(this.confirmTimer);
    this.removeBtn.disabled = true;
    try {
      await this.actions.remove(this.cam.id);
    } finally {
      this.removeBtn.disabled = false;
    }
  }

  update(cam: CameraStatus): void {
    this.cam = cam;
    this.video.setExpectedFps(cam.fpsProcessed);
    this.render();
  }

  setPreferred(t: Transport): void {
    this.video.setPreferred(t);
  }

  private render(): void {
    const cam = this.cam;
    const b = badgeFor(cam, this.video);
    this.title.textContent = cam.name;
    this.title.title = `${cam.id} · ${cam.url}`;
    this.badge.textContent = b.text;
    this.badge.dataset.tone = b.tone;
    this.badge.title = b.title;
    this.root.dataset.state = b.text;
    setChildren(this.meta, `${fmt(cam.fpsProcessed, 1)} fps`, this.video.transport ? h('small', {}, ` · ${this.video.transport}`) : null);
    this.meta.title = `in ${fmt(cam.fpsIn)} fps · processed ${fmt(cam.fpsProcessed)} fps · dropped ${cam.dropped ?? '—'} · shown ${fmt(this.video.fps)} fps`;
    this.reason.textContent = b.title;
  }

  close(): void {
    window.clearTimeout(this.confirmTimer);
    this.video.close();
    this.root.remove();
  }
}
