/** WebSocket JPEG playback: annotated JPEGs as binary `/ws` messages, drawn on a canvas, newest wins. */
import type { LiveSocket } from '../live-socket.js';
import type { ViewMode } from '../protocol.js';
import { timeout, type Player } from './player.js';

export class WsJpegPlayer implements Player {
  readonly transport = 'ws' as const;
  readonly element: HTMLCanvasElement;
  onFail: ((reason: string) => void) | undefined;
  private frames = 0;
  private closed = false;
  private remove: (() => void) | undefined;
  private decoding = false;
  private pending: Blob | undefined;
  private firstFrame: (() => void) | undefined;

  constructor(
    private readonly socket: LiveSocket,
    private readonly cameraId: string,
    private view?: ViewMode,
    private readonly firstFrameTimeoutMs = 10000,
  ) {
    this.element = document.createElement('canvas');
    this.element.dataset.transport = 'ws';
  }

  async start(): Promise<void> {
    const first = new Promise<void>((resolve) => (this.firstFrame = resolve));
    this.subscribe();
    const t = timeout(this.firstFrameTimeoutMs, 'WebSocket first frame');
    try {
      await Promise.race([first, t.promise]);
    } catch (e) {
      this.close();
      throw e;
    } finally {
      t.cancel();
    }
  }

  private subscribe(): void {
    this.remove?.();
    this.remove = this.socket.add({
      cameraId: this.cameraId,
      wants: { frames: true, view: this.view },
      onFrame: (jpeg) => this.push(jpeg),
    });
  }

  /** Keeps only the newest undecoded frame while one decodes: a slow device skips frames, never queues them. */
  private push(jpeg: Blob): void {
    if (this.closed) return;
    if (this.decoding) {
      this.pending = jpeg;
      return;
    }
    this.decoding = true;
    createImageBitmap(jpeg)
      .then((bmp) => {
        if (this.closed) return bmp.close();
        const c = this.element;
        if (c.width !== bmp.width || c.height !== bmp.height) {
          c.width = bmp.width;
          c.height = bmp.height;
        }
        c.getContext('2d')?.drawImage(bmp, 0, 0);
        bmp.close();
        this.frames++;
        this.firstFrame?.();
        this.firstFrame = undefined;
      })
      .catch(() => undefined) // a corrupt JPEG is skipped; the next one replaces it
      .finally(() => {
        this.decoding = false;
        const next = this.pending;
        this.pending = undefined;
        if (next) this.push(next);
      });
  }

  framesShown(): number {
    return this.frames;
  }

  setView(view: ViewMode): boolean {
    if (this.closed) return false;
    this.view = view;
    this.subscribe();
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.remove?.();
    this.remove = undefined;
  }
}
