/** MJPEG playback: `<img src=/api/cameras/:id/mjpeg>` (multipart/x-mixed-replace). The simplest fallback. */
import { api } from '../api.js';
import type { ViewMode } from '../protocol.js';
import { timeout, type Player } from './player.js';

export class MjpegPlayer implements Player {
  readonly transport = 'mjpeg' as const;
  readonly element: HTMLImageElement;
  onFail: ((reason: string) => void) | undefined;
  private frames = 0;
  private closed = false;

  constructor(
    private readonly cameraId: string,
    private view?: ViewMode,
    private readonly firstFrameTimeoutMs = 10000,
  ) {
    this.element = document.createElement('img');
    this.element.alt = `camera ${cameraId}`;
    this.element.dataset.transport = 'mjpeg';
  }

  async start(): Promise<void> {
    const img = this.element;
    const first = new Promise<void>((resolve, reject) => {
      img.onload = () => {
        this.frames++;
        resolve();
      };
      img.onerror = () => {
        reject(new Error('MJPEG stream failed to load'));
        if (this.frames > 0 && !this.closed) this.onFail?.('MJPEG stream ended');
      };
    });
    img.src = api.mjpegUrl(this.cameraId, this.view);
    const t = timeout(this.firstFrameTimeoutMs, 'MJPEG first frame');
    try {
      await Promise.race([first, t.promise]);
    } catch (e) {
      this.close();
      throw e;
    } finally {
      t.cancel();
    }
  }

  framesShown(): number {
    return this.frames;
  }

  setView(view: ViewMode): boolean {
    if (this.closed) return false;
    this.view = view;
    this.element.src = api.mjpegUrl(this.cameraId, view);
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Removing src aborts the multipart request so the server drops this subscriber.
    this.element.onload = null;
    this.element.onerror = null;
    this.element.removeAttribute('src');
  }
}
