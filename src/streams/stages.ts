/**
 * The real per-frame stages behind {@link PipelineStages}: the shared batch scheduler (inference),
 * one {@link Tracker} per camera, one {@link OverlayRenderer} per camera, segment JSON, JPEG and I420.
 */
import type { Category, Frame, RgbImage } from '../core/types.js';
import { Tracker } from '../tracking/tracker.js';
import type { FrameMeta, InferOutcome, PipelineStages, RenderMode } from './camera-pipeline.js';
import { rgbToI420 } from './encode/i420.js';
import { encodeFrameJpeg } from './encode/jpeg.js';
import { OverlayRenderer } from './render/overlay.js';
import { toSegmentMessage } from './serialize/segment-message.js';

export interface StagesOptions {
  /** Submits a frame to the shared batch scheduler. */
  infer(frame: Frame): Promise<InferOutcome>;
  /** Model bundle name (carried in every segment message). */
  modelName: string;
  categories: readonly Category[];
  /** Tracker options (src/tracking/types.ts); default the tracker's defaults. */
  tracker?: unknown;
  /** Default render mode (default overlay). */
  mode?: RenderMode;
  /** Overlay opacity 0..1 (default 0.5). */
  alpha?: number;
  /** JPEG quality 1..100 (default 80). */
  jpegQuality?: number;
}

/** The image of `frame` the model's output refers to: the full frame or its scaled second output. */
export function imageFor(frame: Frame, tracked: { width: number; height: number }): RgbImage {
  if (frame.width === tracked.width && frame.height === tracked.height) return frame;
  if (frame.scaled && frame.scaled.width === tracked.width && frame.scaled.height === tracked.height) return frame.scaled;
  return resizeNearest(frame, tracked.width, tracked.height);
}

function resizeNearest(img: RgbImage, w: number, h: number): RgbImage {
  const out = new Uint8Array(w * h * 3);
  const sx = img.width / w;
  const sy = img.height / h;
  for (let y = 0; y < h; y++) {
    const row = Math.min(img.height - 1, Math.floor((y + 0.5) * sy)) * img.width;
    for (let x = 0; x < w; x++) {
      const s = (row + Math.min(img.width - 1, Math.floor((x + 0.5) * sx))) * 3;
      const d = (y * w + x) * 3;
      out[d] = img.data[s]!;
      out[d + 1] = img.data[s + 1]!;
      out[d + 2] = img.data[s + 2]!;
    }
  }
  return { width: w, height: h, data: out };
}

export function createStages(opts: StagesOptions): PipelineStages {
  const perCamera = new Map<string, OverlayRenderer>();
  const renderer = (cameraId: string): OverlayRenderer => {
    let r = perCamera.get(cameraId);
    if (!r) perCamera.set(cameraId, (r = new OverlayRenderer(opts.categories, { mode: opts.mode ?? 'overlay', alpha: opts.alpha ?? 0.5, outputBuffers: 1 })));
    return r;
  };
  return {
    infer: (frame) => opts.infer(frame),
    createTracker: (cameraId) => {
      perCamera.delete(cameraId); // a re-added camera starts with a fresh renderer too
      return new Tracker(opts.tracker ?? {});
    },
    render(frame, tracked, mode) {
      const img = renderer(frame.cameraId).render(imageFor(frame, tracked), tracked, mode ? { mode } : undefined);
      // The renderer reuses its output buffer; processed frames cache images, so keep a copy.
      return { width: img.width, height: img.height, data: img.data.slice() };
    },
    serialize(tracked, meta: FrameMeta, { masks }) {
      return toSegmentMessage(
        tracked,
        { model: opts.modelName, categories: opts.categories, cameraId: meta.cameraId, seq: meta.seq, ptsMs: meta.ptsMs, capturedAtMs: meta.capturedAtMs, processedAtMs: meta.processedAtMs },
        { masks },
      );
    },
    toI420: (img) => {
      // I420 needs even sizes: crop one pixel row/column when odd.
      const w = img.width & ~1;
      const h = img.height & ~1;
      if (w === img.width && h === img.height) return rgbToI420(img);
      const out = new Uint8Array(w * h * 3);
      for (let y = 0; y < h; y++) out.set(img.data.subarray(y * img.width * 3, y * img.width * 3 + w * 3), y * w * 3);
      return rgbToI420({ width: w, height: h, data: out });
    },
    encodeJpeg: (img) => encodeFrameJpeg(img, { quality: opts.jpegQuality ?? 80 }),
  };
}
