/**
 * Hit-testing and highlighting of segments over the playing video. Pointer positions are mapped from the
 * element's box (object-fit: contain) to image pixels of the segment message, then to mask pixels of each
 * segment's RLE. In side-by-side mode the video is two images wide; either half maps to the same pixel.
 */
import type { SegmentInfo, SegmentsMessage } from './protocol.js';
import { decodeMask, maskOutline, rleContains, type BinaryMask } from './rle.js';

/** Displayed content rectangle of a replaced element with object-fit: contain, in CSS pixels relative to it. */
export function contentRect(el: HTMLElement, natural: { width: number; height: number }): DOMRect {
  const box = el.getBoundingClientRect();
  if (!natural.width || !natural.height || !box.width || !box.height) return new DOMRect(0, 0, box.width, box.height);
  const scale = Math.min(box.width / natural.width, box.height / natural.height);
  const w = natural.width * scale;
  const hgt = natural.height * scale;
  return new DOMRect((box.width - w) / 2, (box.height - hgt) / 2, w, hgt);
}

/** How many image-widths the video shows side by side (2 in side-by-side mode), from the aspect ratios. */
export function panesOf(natural: { width: number; height: number }, msg: SegmentsMessage): number {
  if (!natural.width || !natural.height || !msg.width || !msg.height) return 1;
  const ratio = natural.width / natural.height / (msg.width / msg.height);
  return Math.abs(ratio - 2) < 0.15 ? 2 : 1;
}

/** Maps a point in the content rect (CSS px) to image pixels of `msg`; undefined outside the image. */
export function toImagePoint(x: number, y: number, rect: DOMRect, panes: number, msg: SegmentsMessage): { x: number; y: number } | undefined {
  const u = (x - rect.x) / rect.width;
  const v = (y - rect.y) / rect.height;
  if (u < 0 || v < 0 || u >= 1 || v >= 1) return undefined;
  const pu = (u * panes) % 1;
  return { x: pu * msg.width, y: v * msg.height };
}

/** The segment under image point (x, y): mask hit when masks are present, else the smallest bbox containing it. */
export function segmentAt(msg: SegmentsMessage, x: number, y: number): SegmentInfo | undefined {
  let best: SegmentInfo | undefined;
  for (const s of msg.segments) {
    const [bx, by, bw, bh] = s.bbox;
    if (x < bx || y < by || x >= bx + bw || y >= by + bh) continue;
    if (s.mask) {
      const [mh, mw] = s.mask.size;
      if (rleContains(s.mask, (x * mw) / msg.width, (y * mh) / msg.height)) return s;
    } else if (!best || s.area < best.area) {
      best = s;
    }
  }
  return best;
}

/** Draws one highlighted segment (filled mask + outline, or its bbox without mask) on a canvas over the video. */
export class HighlightLayer {
  readonly canvas: HTMLCanvasElement;
  private readonly masks = new WeakMap<SegmentInfo, { fill: BinaryMask; edge: BinaryMask }>();

  constructor() {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'highlight';
    this.canvas.setAttribute('aria-hidden', 'true');
  }

  /** Positions the canvas over the displayed video and draws `seg` (or clears when undefined). */
  draw(video: HTMLElement | undefined, natural: { width: number; height: number }, msg: SegmentsMessage | undefined, seg: SegmentInfo | undefined, color: [number, number, number]): void {
    const c = this.canvas;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    if (!video || !msg || !seg) {
      ctx.clearRect(0, 0, c.width, c.height);
      c.dataset.segment = '';
      return;
    }
    const rect = contentRect(video, natural);
    const panes = panesOf(natural, msg);
    Object.assign(c.style, { left: `${video.offsetLeft + rect.x}px`, top: `${video.offsetTop + rect.y}px`, width: `${rect.width}px`, height: `${rect.height}px` });
    const mw = seg.mask ? seg.mask.size[1] : msg.width;
    const mh = seg.mask ? seg.mask.size[0] : msg.height;
    if (c.width !== mw * panes || c.height !== mh) {
      c.width = mw * panes;
      c.height = mh;
    }
    ctx.clearRect(0, 0, c.width, c.height);
    c.dataset.segment = String(seg.trackId ?? seg.id);
    const [r, g, b] = color;
    for (let p = 0; p < panes; p++) {
      if (seg.mask) {
        let m = this.masks.get(seg);
        if (!m) {
          const fill = decodeMask(seg.mask);
          m = { fill, edge: maskOutline(fill) };
          this.masks.set(seg, m);
        }
        ctx.putImageData(paint(m.fill, m.edge, [r, g, b]), p * mw, 0);
      } else {
        const [x, y, w, hh] = seg.bbox;
        ctx.strokeStyle = `rgb(${r},${g},${b})`;
        ctx.lineWidth = Math.max(2, mw / 320);
        ctx.strokeRect(p * mw + x, y, w, hh);
      }
    }
  }
}

function paint(fill: BinaryMask, edge: BinaryMask, [r, g, b]: [number, number, number]): ImageData {
  const img = new ImageData(fill.width, fill.height);
  const px = img.data;
  for (let i = 0; i < fill.data.length; i++) {
    if (fill.data[i] === 0) continue;
    const o = i * 4;
    const onEdge = edge.data[i] === 1;
    px[o] = onEdge ? 255 : r;
    px[o + 1] = onEdge ? 255 : g;
    px[o + 2] = onEdge ? 255 : b;
    px[o + 3] = onEdge ? 255 : 110;
  }
  return img;
}

/** RGB of a track/class colour (golden-angle hue, as `colorFor`). */
export function rgbFor(n: number): [number, number, number] {
  const hue = ((Math.abs(n) * 137.508) % 360) / 360;
  const s = 0.85;
  const l = 0.55;
  const q = l < 0.5 ? l * (1 + s) : l + s - l * s;
  const p = 2 * l - q;
  const ch = (t: number): number => {
    const tt = t < 0 ? t + 1 : t > 1 ? t - 1 : t;
    const v = tt < 1 / 6 ? p + (q - p) * 6 * tt : tt < 1 / 2 ? q : tt < 2 / 3 ? p + (q - p) * (2 / 3 - tt) * 6 : p;
    return Math.round(v * 255);
  };
  return [ch(hue + 1 / 3), ch(hue), ch(hue - 1 / 3)];
}
