import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../src/core/errors.js';
import { countsFromString, countsToString, decodeRle, encodeRle, maskToCounts, segmentRle } from '../../src/streams/serialize/rle.js';
import { SEGMENT_SCHEMA_VERSION, toSegmentMessage } from '../../src/streams/serialize/segment-message.js';
import { repoRoot } from '../helpers/fixtures.js';
import { validate } from './json-schema-lite.js';
import { CATEGORIES, syntheticTracked } from './synthetic.js';

describe('streams/serialize/rle (COCO compressed RLE)', () => {
  it('matches hand-derived pycocotools strings', () => {
    // 3×3 mask (row-major)   column-major scan: 0 0 0 | 1 1 0 | 0 1 0 → runs [3, 2, 2, 1, 1]
    //   0 1 0                 rleToString: 3→'3', 2→'2', i=2 has no delta (i > 2 rule) → '2',
    //   0 1 1                 i=3: 1-2 = -1 → 31+48 = 'O', i=4: 1-2 = -1 → 'O'
    //   0 0 0
    const mask = [0, 1, 0, 0, 1, 1, 0, 0, 0];
    expect(maskToCounts(mask, 3, 3)).to.deep.equal([3, 2, 2, 1, 1]);
    expect(encodeRle(mask, 3, 3)).to.deep.equal({ size: [3, 3], counts: '322OO' });
    // A full 10×10 mask: runs [0, 100]; 100 = 0b11_00100 → groups 4 (|0x20 → 36+48 'T') then 3 → "0T3".
    expect(encodeRle(new Uint8Array(100).fill(1), 10, 10).counts).to.equal('0T3');
    // Runs [0, 50, 1, 10]: 50 → 'b1'; i=2 → '1'; i=3: 10-50 = -40 → groups 24|0x20 → 'h', 30 → 'N'.
    expect(countsToString([0, 50, 1, 10])).to.equal('0b11hN');
    expect(countsFromString('0b11hN')).to.deep.equal([0, 50, 1, 10]);
    expect(countsToString([1, 1, 1, 100, 1])).to.equal('111S30');
  });

  it('round-trips random masks and large counts', () => {
    let seed = 12345;
    const rand = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let t = 0; t < 30; t++) {
      const w = 1 + Math.floor(rand() * 40);
      const h = 1 + Math.floor(rand() * 40);
      const p = rand();
      const mask = new Uint8Array(w * h).map(() => (rand() < p ? 1 : 0));
      const rle = encodeRle(mask, w, h);
      expect(Array.from(decodeRle(rle)), `${w}×${h}`).to.deep.equal(Array.from(mask));
    }
    const big = [0, 2 ** 30, 5, 2 ** 30 - 7, 3];
    expect(countsFromString(countsToString(big))).to.deep.equal(big);
  });

  it('encodes a segment straight from the id map, identical to encoding its mask', () => {
    const tracked = syntheticTracked(17, 11, [
      { id: 4, categoryId: 100, isThing: false, trackId: 1, rect: [0, 6, 17, 5] },
      { id: 9, categoryId: 1, isThing: true, trackId: 2, rect: [3, 2, 5, 7] },
      { id: 5, categoryId: 1, isThing: true, trackId: 3, rect: [12, 0, 5, 3] }, // touches the right edge
    ]);
    for (const s of tracked.segments) {
      const mask = Array.from(tracked.ids, (v) => (v === s.id ? 1 : 0));
      expect(segmentRle(tracked.ids, 17, 11, s.id, s.bbox), `segment ${s.id}`).to.deep.equal(encodeRle(mask, 17, 11));
    }
  });

  it('rejects malformed RLE naming the field', () => {
    expect(() => decodeRle({ size: [3, 3], counts: '322O' })).to.throw(ConfigError, /counts/);
    expect(() => countsFromString('32~')).to.throw(ConfigError, /invalid RLE character/);
    expect(() => countsFromString('b')).to.throw(ConfigError, /truncated/);
  });
});

describe('streams/serialize/segment-message', () => {
  const schema = JSON.parse(readFileSync(join(repoRoot, 'docs', 'segment-schema.json'), 'utf8')) as Record<string, unknown>;
  const depth = new Float32Array(32 * 24).fill(4.25);
  const tracked = syntheticTracked(
    32,
    24,
    [
      { id: 1, categoryId: 101, isThing: false, trackId: 1, rect: [0, 0, 32, 8] },
      { id: 2, categoryId: 1, isThing: true, trackId: 17, rect: [4, 6, 9, 14], score: 0.87654 },
      { id: 3, categoryId: 999, isThing: true, trackId: 18, rect: [20, 10, 6, 6] },
    ],
    { depth, depthKind: 'metric', events: [{ type: 'started', trackId: 18, categoryId: 999, seq: 41, ageFrames: 3 }] },
  );
  const meta = { model: 'default', categories: CATEGORIES, cameraId: 'lobby', seq: 41, ptsMs: 1366.6666, capturedAtMs: 1_700_000_000_000, processedAtMs: 1_700_000_000_042 };

  it('builds a message valid against docs/segment-schema.json, masks decoding back to the segments', () => {
    const msg = toSegmentMessage(tracked, meta, { masks: true });
    const json = JSON.parse(JSON.stringify(msg)) as typeof msg;
    expect(validate(schema, json)).to.deep.equal([]);
    expect(json.version).to.equal(SEGMENT_SCHEMA_VERSION);
    expect(json.latencyMs).to.equal(42);
    expect(json.ptsMs).to.equal(1366.667);
    const person = json.segments.find((s) => s.trackId === 17)!;
    expect(person).to.include({ category: 'person', isThing: true, score: 0.877, area: 9 * 14, segmentId: 2 });
    expect(person.bbox).to.deep.equal([4, 6, 9, 14]);
    expect(person.centroid).to.deep.equal([8.5, 13]); // mean of pixel centres: x 4..12 → 8.5, y 6..19 → 13
    expect(person.depth).to.deep.equal({ median: 4.25, min: 4.25, max: 4.25 });
    expect(json.segments.find((s) => s.trackId === 18)!.category).to.equal('class 999');
    expect(json.events).to.deep.equal([{ type: 'started', trackId: 18, categoryId: 999, category: 'class 999', seq: 41, ageFrames: 3 }]);
    for (const s of json.segments) {
      const mask = decodeRle(s.mask!);
      let n = 0;
      for (let i = 0; i < mask.length; i++) {
        expect(mask[i], `pixel ${i} of segment ${s.segmentId}`).to.equal(tracked.ids[i] === s.segmentId ? 1 : 0);
        n += mask[i]!;
      }
      expect(n).to.equal(s.area);
    }
    const noMasks = toSegmentMessage(tracked, meta);
    expect(noMasks.segments.every((s) => s.mask === undefined)).to.equal(true);
    expect(validate(schema, JSON.parse(JSON.stringify(noMasks)))).to.deep.equal([]);
  });

  it('the schema check catches wrong messages (so the test above can fail)', () => {
    const msg = JSON.parse(JSON.stringify(toSegmentMessage(tracked, meta, { masks: true }))) as Record<string, unknown> & { segments: Record<string, unknown>[] };
    msg.segments[0]!.bbox = [1, 2, 3];
    msg.segments[1]!.mask = { size: [24, 32], counts: 'abc{' };
    delete msg.cameraId;
    msg.extra = 1;
    const errors = validate(schema, msg);
    expect(errors.join('\n')).to.match(/missing required cameraId/).and.match(/bbox: fewer than 4/).and.match(/counts: does not match/).and.match(/unexpected property extra/);
  });

  it('takes frame metadata from tracked.frame and names a missing field', () => {
    const withFrame = { ...tracked, frame: { cameraId: 'gate', seq: 7, ptsMs: 233, capturedAtMs: 1000, width: 32, height: 24, format: 'rgb24' as const, data: new Uint8Array(0) } };
    const msg = toSegmentMessage(withFrame, { model: 'indoor', categories: CATEGORIES, processedAtMs: 1100 });
    expect(msg).to.include({ cameraId: 'gate', seq: 7, ptsMs: 233, capturedAtMs: 1000, latencyMs: 100, model: 'indoor', depthKind: 'metric' });
    expect(() => toSegmentMessage(tracked, { model: 'x', categories: CATEGORIES })).to.throw(ConfigError, /meta\.cameraId/);
  });
});
