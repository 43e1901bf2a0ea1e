/**
 * The viewer's wire readers against the server's real writers (no browser needed): COCO RLE masks from
 * `segmentRle` decode to the same pixels in the viewer's decoder, hit-testing finds the right segment, and
 * `toSegmentMessage` output reads back with names, track ids, depth and masks.
 */
import { expect } from 'chai';
import type { Category, TrackedFrame, TrackedSegment } from '../../src/core/types.js';
import { encodeRle, segmentRle } from '../../src/streams/serialize/rle.js';
import { toSegmentMessage } from '../../src/streams/serialize/segment-message.js';
import { readBinaryFrame, readFieldErrors, readSegmentsMessage } from '../../web-viewer/src/protocol.js';
import { decodeCounts, decodeMask, rleContains } from '../../web-viewer/src/rle.js';
import { segmentAt, toImagePoint } from '../../web-viewer/src/segment-highlight.js';

/** Deterministic pseudo-random generator (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An id map of a few rectangles and a disc over a background (id 1). */
function idMap(w: number, h: number): Int32Array {
  const ids = new Int32Array(w * h).fill(1);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (x >= 10 && x < 40 && y >= 5 && y < 50) ids[y * w + x] = 2;
      if ((x - 90) ** 2 + (y - 40) ** 2 < 20 ** 2) ids[y * w + x] = 3;
    }
  }
  return ids;
}

function seg(id: number, ids: Int32Array, w: number, trackId: number, categoryId: number): TrackedSegment {
  let minX = Infinity, minY = Infinity, maxX = -1, maxY = -1, area = 0, sx = 0, sy = 0;
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] !== id) continue;
    const x = i % w, y = Math.floor(i / w);
    minX = Math.min(minX, x); minY = Math.min(minY, y); maxX = Math.max(maxX, x); maxY = Math.max(maxY, y);
    area++; sx += x; sy += y;
  }
  return {
    id, categoryId, isThing: categoryId !== 5, score: 0.9, area, bbox: [minX, minY, maxX - minX + 1, maxY - minY + 1],
    centroid: [sx / area, sy / area], embedding: new Float32Array(4), depth: { median: 2.5, min: 1, max: 4 },
    trackId, state: 'confirmed', ageFrames: 3, velocity: [0, 0],
  };
}

describe('web viewer: wire formats against the server', () => {
  it('decodes random masks encoded by the server bit-exactly (column-major runs, delta counts)', () => {
    const r = rng(7);
    for (const [w, h, density] of [[1, 1, 0.5], [17, 9, 0.5], [64, 48, 0.05], [64, 48, 0.95], [300, 7, 0.3]] as const) {
      const mask = new Uint8Array(w * h);
      for (let i = 0; i < mask.length; i++) mask[i] = r() < density ? 1 : 0;
      const rle = encodeRle(mask, w, h);
      const out = decodeMask(rle);
      expect([out.width, out.height]).to.deep.equal([w, h]);
      expect(Buffer.from(out.data).equals(Buffer.from(mask)), `${w}×${h} @${density}`).to.equal(true);
      expect(out.area).to.equal(mask.reduce((a, b) => a + b, 0));
      for (let k = 0; k < 50; k++) {
        const x = Math.floor(r() * w), y = Math.floor(r() * h);
        expect(rleContains(rle, x, y)).to.equal(mask[y * w + x] === 1);
      }
    }
  });

  it('rejects a counts string with a character outside the alphabet, naming it', () => {
    expect(() => decodeCounts('0a~')).to.throw(TypeError, /"~" at 2/);
  });

  it('reads a real segment message with masks and hit-tests the segment under a point', () => {
    const w = 128, h = 72;
    const ids = idMap(w, h);
    const cats: Category[] = [
      { id: 0, name: 'person', isThing: true, color: [255, 0, 0] },
      { id: 5, name: 'wall', isThing: false, color: [0, 0, 255] },
      { id: 2, name: 'car', isThing: true, color: [0, 255, 0] },
    ];
    const tracked: TrackedFrame = {
      width: w, height: h, ids, timings: {},
      segments: [seg(1, ids, w, 100, 5), seg(2, ids, w, 7, 0), seg(3, ids, w, 9, 2)],
      events: [{ type: 'started', trackId: 9, categoryId: 2, seq: 41, ageFrames: 1 }],
    };
    const wire = JSON.parse(JSON.stringify(toSegmentMessage(tracked, { model: 'm', categories: cats, cameraId: 'lobby', seq: 42, ptsMs: 1400, capturedAtMs: 1000 }, { masks: true }))) as unknown;
    const msg = readSegmentsMessage(wire)!;
    expect(msg).to.include({ cameraId: 'lobby', seq: 42, width: w, height: h, capturedAtMs: 1000 });
    expect(msg.segments.map((s) => [s.id, s.category, s.trackId, s.isThing])).to.deep.equal([[1, 'wall', 100, false], [2, 'person', 7, true], [3, 'car', 9, true]]);
    expect(msg.segments[1].depth).to.deep.equal({ median: 2.5, min: 1, max: 4 });
    expect(msg.events).to.deep.equal([{ type: 'started', trackId: 9, category: 'car', seq: 41 }]);
    // Every pixel's hit test agrees with the id map (masks are exact, no tolerance).
    for (let y = 0; y < h; y += 3) for (let x = 0; x < w; x += 3) expect(segmentAt(msg, x + 0.5, y + 0.5)?.id, `(${x},${y})`).to.equal(ids[y * w + x]);
    // The segment mask of id 3 equals the one segmentRle writes.
    expect(msg.segments[2].mask).to.deep.equal(segmentRle(ids, w, h, 3, tracked.segments[2].bbox));
  });

  it('maps a pointer on a letterboxed, side-by-side video to image pixels', () => {
    const msg = readSegmentsMessage({ cameraId: 'c', seq: 1, width: 640, height: 360, segments: [] })!;
    // The content rect of a 1280×360 side-by-side video shown 640 CSS px wide, centred vertically at y=100.
    const rect = { x: 0, y: 100, width: 640, height: 180 } as DOMRect;
    expect(toImagePoint(160, 190, rect, 2, msg)).to.deep.equal({ x: 320, y: 180 }); // left half: raw
    expect(toImagePoint(480, 190, rect, 2, msg)).to.deep.equal({ x: 320, y: 180 }); // right half: overlay
    expect(toImagePoint(160, 50, rect, 2, msg)).to.equal(undefined); // on the letterbox bar
  });

  it('reads binary frames in the server layout (uint32 BE header length, JSON header, JPEG)', () => {
    const header = Buffer.from(JSON.stringify({ cameraId: 'lobby', seq: 3, view: 'depth', width: 2, height: 2 }));
    const len = Buffer.alloc(4);
    len.writeUInt32BE(header.length);
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xd9]);
    const buf = Buffer.concat([len, header, jpeg]);
    const f = readBinaryFrame(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length))!;
    expect(f).to.include({ cameraId: 'lobby', seq: 3, view: 'depth' });
    expect(f.jpeg.size).to.equal(4);
    expect(readBinaryFrame(new ArrayBuffer(3))).to.equal(undefined);
  });

  it('reads the server 400 body into field → message (body. prefix dropped)', () => {
    const body = { error: { code: 'ERR_VALIDATION', message: 'body.maxFps: too big', field: 'body.maxFps', errors: [{ field: 'body.maxFps', message: 'too big', value: 900 }, { field: 'body.url', message: 'must not be empty' }] } };
    expect(readFieldErrors(body)).to.deep.equal({ message: 'body.maxFps: too big', fields: { maxFps: 'too big', url: 'must not be empty' } });
  });
});
