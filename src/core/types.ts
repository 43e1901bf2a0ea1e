/**
 * Core data contracts shared by every stage (ingest → model → tracking → streams → server).
 * Frames travel on Observables, never through EventEmitters.
 */

/** A decoded video frame, packed RGB24 (3 bytes per pixel, row-major, no row padding). */
export interface Frame {
  /** Camera id the frame came from. */
  readonly cameraId: string;
  /** Monotonic per-source sequence number, starting at 0 for each source lifetime. */
  readonly seq: number;
  /** Presentation timestamp in milliseconds since the start of this stream session. */
  readonly ptsMs: number;
  /** Wall-clock time (ms since epoch) at which the frame's last byte was read from FFmpeg. */
  readonly capturedAtMs: number;
  readonly width: number;
  readonly height: number;
  readonly format: 'rgb24';
  /** width*height*3 bytes. Owned by the frame: consumers must not mutate it. */
  readonly data: Uint8Array;
  /** Optional second output of the same decode, scaled for the model (e.g. 640×360). */
  readonly scaled?: ScaledImage;
}

export interface ScaledImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** An RGB24 image without stream metadata (used by `segment IMAGE` and tests). */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Axis-aligned box in pixels: [x, y, width, height] (COCO convention). */
export type BBox = [x: number, y: number, w: number, h: number];

/** One panoptic segment of a frame. */
export interface Segment {
  /** Segment id within the frame; equals the value of its pixels in `PanopticFrame.ids`. 0 is void. */
  readonly id: number;
  readonly categoryId: number;
  readonly isThing: boolean;
  /** Confidence in [0,1]; 1 for stuff segments whose family has no score. */
  readonly score: number;
  /** Pixel count. */
  readonly area: number;
  readonly bbox: BBox;
  /** Centre of mass in pixels [x, y]. */
  readonly centroid: [number, number];
  /** Spectral positional embedding γ(u)⊕γ(v) of the centroid (or the model's own mean predicted PE). */
  readonly embedding: Float32Array;
  /** Median depth inside the segment, in the model's depth unit, when depth is available. */
  readonly depth?: DepthStats;
}

export interface DepthStats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** Per-stage timings in milliseconds. */
export interface StageTimings {
  queueMs?: number;
  preprocessMs?: number;
  runMs?: number;
  decodeMs?: number;
  trackMs?: number;
  totalMs?: number;
}

export type DepthKind = 'metric' | 'relative-inverse' | 'relative';

/** Output of a model family adapter for one frame. */
export interface PanopticFrame {
  readonly frame?: Frame;
  readonly width: number;
  readonly height: number;
  /** Per-pixel segment ids (0 = void), width*height. */
  readonly ids: Int32Array;
  readonly segments: Segment[];
  /** Optional per-pixel depth, width*height. Unit per `depthKind`. */
  readonly depth?: Float32Array;
  readonly depthKind?: DepthKind;
  readonly timings: StageTimings;
}

export type TrackState = 'tentative' | 'confirmed' | 'lost' | 'ended';

export interface TrackedSegment extends Segment {
  readonly trackId: number;
  readonly state: TrackState;
  readonly ageFrames: number;
  /** Centroid velocity in pixels per frame [vx, vy]. */
  readonly velocity: [number, number];
}

export interface TrackEvent {
  readonly type: 'started' | 'ended';
  readonly trackId: number;
  readonly categoryId: number;
  readonly seq: number;
  readonly ageFrames: number;
}

export interface TrackedFrame extends Omit<PanopticFrame, 'segments'> {
  readonly segments: TrackedSegment[];
  readonly events: TrackEvent[];
}

/** Category description shared by models, renderers and the viewer. */
export interface Category {
  readonly id: number;
  readonly name: string;
  readonly isThing: boolean;
  /** RGB colour. */
  readonly color: [number, number, number];
}
