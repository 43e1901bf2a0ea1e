/** A live video player for one camera over one transport. */
import type { ViewMode } from '../protocol.js';
import type { Transport } from '../settings.js';

export interface Player {
  readonly transport: Transport;
  /** The element showing the video (`<video>`, `<canvas>` or `<img>`). */
  readonly element: HTMLVideoElement | HTMLCanvasElement | HTMLImageElement;
  /** Resolves once the first frame is shown; rejects (and cleans up) when the transport cannot play. */
  start(): Promise<void>;
  /** Frames shown so far (best effort: MJPEG counts load events only). */
  framesShown(): number;
  /** Called once when a started player fails (peer closed, socket lost, stream ended). */
  onFail: ((reason: string) => void) | undefined;
  /** Asks the server for another render mode; false when this transport cannot switch (the caller restarts). */
  setView(view: ViewMode): boolean;
  /** Idempotent: stops the stream and releases server resources (WHEP DELETE, unsubscribe). */
  close(): void;
}

/** Natural size of a player's element, for mapping pointer positions to image pixels. */
export function intrinsicSize(el: Player['element']): { width: number; height: number } {
  if (el instanceof HTMLVideoElement) return { width: el.videoWidth, height: el.videoHeight };
  if (el instanceof HTMLImageElement) return { width: el.naturalWidth, height: el.naturalHeight };
  return { width: el.width, height: el.height };
}

/** Rejects after `ms` with a message naming what was awaited. */
export function timeout(ms: number, what: string): { promise: Promise<never>; cancel(): void } {
  let id = 0;
  const promise = new Promise<never>((_, reject) => {
    id = window.setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return { promise, cancel: () => window.clearTimeout(id) };
}
