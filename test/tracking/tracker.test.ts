import { expect } from 'chai';
import { firstValueFrom, from, toArray } from 'rxjs';
import { ConfigError } from '../../src/core/errors.js';
import type { PanopticFrame, TrackEvent } from '../../src/core/types.js';
import { buildSegments, type SegmentInfo } from '../../src/model/segments.js';
import { track } from '../../src/tracking/track-operator.js';
import { Tracker } from '../../src/tracking/tracker.js';

const W = 200;
const H = 100;

interface Box {
  id: number;
  cat: number;
  x: number;
  y: number;
  w?: number;
  h?: number;
  thing?: boolean;
}

/** A frame with a stuff background (id 1, class 0) and square thing boxes. */
function frame(seq: number, boxes: Box[], cameraId = 'cam'): PanopticFrame {
  const ids = new Int32Array(W * H).fill(1);
  const infos: SegmentInfo[] = [{ id: 1, categoryId: 0, isThing: false }];
  for (const b of boxes) {
    for (let y = b.y; y < b.y + (b.h ?? 10); y++) for (let x = b.x; x < b.x + (b.w ?? 10); x++) ids[y * W + x] = b.id;
    infos.push({ id: b.id, categoryId: b.cat, isThing: b.thing ?? true });
  }
  return {
    frame: { cameraId, seq, ptsMs: seq * 100, capturedAtMs: 0, width: W, height: H, format: 'rgb24', data: new Uint8Array(0) },
    width: W,
    height: H,
    ids,
    segments: buildSegments(ids, W, H, infos),
    timings: {},
  };
}

describe('tracking/Tracker', () => {
  it('tentative → confirmed after minHits with a started event; the id is the same from birth', () => {
    const t = new Tracker({ minHits: 3 });
    const outs = [0, 1, 2, 3].map((k) => t.update(frame(k, [{ id: 2, cat: 5, x: 20 + 3 * k, y: 40 }])));
    const thing = outs.map((o) => o.segments.find((s) => s.isThing)!);
    expect(thing.map((s) => s.state)).to.deep.equal(['tentative', 'tentative', 'confirmed', 'confirmed']);
    expect(new Set(thing.map((s) => s.trackId)).size).to.equal(1);
    expect(thing.map((s) => s.ageFrames)).to.deep.equal([1, 2, 3, 4]);
    expect(outs.map((o) => o.events.map((e) => e.type))).to.deep.equal([[], [], ['started'], []]);
    expect(thing[3]!.velocity[0]).to.be.closeTo(3, 1e-9); // px/frame, exact for a rigid box
    expect(thing[3]!.velocity[1]).to.be.closeTo(0, 1e-9);
  });

  it('confirmed → lost → re-associated within maxAgeFrames; → ended after, with an ended event; ids never reused', () => {
    const t = new Tracker({ minHits: 1, maxAgeFrames: 2 });
    const a = t.update(frame(0, [{ id: 2, cat: 5, x: 50, y: 40 }])).segments.find((s) => s.isThing)!;
    expect(a.state).to.equal('confirmed');
    t.update(frame(1, []));
    expect(t.toJSON().tracks.find((x) => x.trackId === a.trackId)!.state).to.equal('lost');
    const back = t.update(frame(2, [{ id: 7, cat: 5, x: 50, y: 40 }])).segments[1]!;
    expect(back.trackId).to.equal(a.trackId);
    const events: TrackEvent[] = [];
    for (let k = 3; k <= 6; k++) events.push(...t.update(frame(k, [])).events);
    expect(events).to.deep.equal([{ type: 'ended', trackId: a.trackId, categoryId: 5, seq: 5, ageFrames: 3 }]);
    const again = t.update(frame(7, [{ id: 2, cat: 5, x: 50, y: 40 }])).segments[1]!;
    expect(again.trackId).to.be.greaterThan(a.trackId);
  });

  it('tentative tracks that miss more than maxTentativeMissFrames vanish without events', () => {
    const t = new Tracker({ minHits: 3, maxTentativeMissFrames: 0 });
    const first = t.update(frame(0, [{ id: 2, cat: 5, x: 50, y: 40 }]));
    const gone = t.update(frame(1, []));
    expect(first.events).to.deep.equal([]);
    expect(gone.events).to.deep.equal([]);
    expect(t.toJSON().tracks.filter((x) => x.isThing)).to.deep.equal([]);
  });

  it('is class-gated: a segment of another category never continues a track', () => {
    const t = new Tracker({ minHits: 1 });
    const a = t.update(frame(0, [{ id: 2, cat: 5, x: 50, y: 40 }])).segments.find((s) => s.isThing)!;
    const b = t.update(frame(1, [{ id: 2, cat: 6, x: 50, y: 40 }])).segments[1]!;
    expect(b.trackId).to.not.equal(a.trackId);
  });

  it('stuff keeps one id per class for the camera lifetime, even after absence and reset()', () => {
    const t = new Tracker();
    const s0 = t.update(frame(0, [])).segments[0]!;
    t.update(frame(1, [{ id: 3, cat: 0, x: 0, y: 0, w: W, h: H, thing: false }]));
    const s2 = t.update(frame(2, [])).segments[0]!;
    expect(s2.trackId).to.equal(s0.trackId);
    expect(s0.state).to.equal('confirmed');
    t.reset();
    const s3 = t.update(frame(3, [])).segments[0]!;
    expect(s3.trackId).to.be.greaterThan(s0.trackId); // reset forgets, ids are still never reused
  });

  it('reset() ends confirmed tracks and keeps the id counter', () => {
    const t = new Tracker({ minHits: 1 });
    const a = t.update(frame(0, [{ id: 2, cat: 5, x: 50, y: 40 }])).segments.find((s) => s.isThing)!;
    const ev = t.reset();
    expect(ev.map((e) => [e.type, e.trackId])).to.deep.equal([['ended', a.trackId]]);
    const b = t.update(frame(1, [{ id: 2, cat: 5, x: 50, y: 40 }])).segments[1]!;
    expect(b.trackId).to.be.greaterThan(a.trackId);
  });

  it('predicts across dropped frames using the seq gap (velocity in px/frame)', () => {
    const run = (jumpSeq: number): [number, number] => {
      const t = new Tracker({ minHits: 1 });
      let id = 0;
      for (let k = 0; k < 4; k++) id = t.update(frame(k, [{ id: 2, cat: 5, x: 10 + 4 * k, y: 40 }])).segments.find((s) => s.isThing)!.trackId;
      // Frames 4…7 dropped upstream: the object is 20 px further on at seq 8.
      const after = t.update(frame(jumpSeq, [{ id: 2, cat: 5, x: 10 + 4 * 8, y: 40 }])).segments.find((s) => s.isThing)!;
      return [id, after.trackId];
    };
    const [id, after] = run(8);
    expect(after).to.equal(id);
    // Control: the same 20 px jump presented as the very next frame is too far to be the same object.
    const [id2, after2] = run(4);
    expect(after2).to.not.equal(id2);
  });

  it('rejects bad options and frames naming the field and value', () => {
    expect(() => new Tracker({ maxCost: -1 })).to.throw(ConfigError, /tracking\.maxCost/);
    expect(() => new Tracker({ minHits: 0 })).to.throw(ConfigError, /tracking\.minHits/);
    expect(() => new Tracker({ maxAgeFrame: 3 })).to.throw(ConfigError, /maxAgeFrame/);
    const bad = frame(0, [{ id: 2, cat: 5, x: 50, y: 40 }]);
    const seg = bad.segments[1]!;
    const broken = { ...bad, segments: [{ ...seg, centroid: [NaN, 1] as [number, number] }] };
    expect(() => new Tracker().update(broken)).to.throw(TypeError, /segments\[0\]\.centroid/);
    expect(() => new Tracker().update({ ...bad, width: 0 })).to.throw(TypeError, /width/);
  });

  it('toJSON() is a plain snapshot', () => {
    const t = new Tracker({ minHits: 1 });
    t.update(frame(0, [{ id: 2, cat: 5, x: 50, y: 40 }]));
    const snap = JSON.parse(JSON.stringify(t.toJSON()));
    expect(snap.nextTrackId).to.equal(3);
    expect(snap.tracks).to.have.length(2);
    expect(snap.options.maxCost).to.equal(4);
  });
});

describe('tracking/track() operator', () => {
  it('keeps one tracker per camera and adds timings.trackMs', async () => {
    const frames = [frame(0, [{ id: 2, cat: 5, x: 50, y: 40 }], 'a'), frame(0, [{ id: 2, cat: 5, x: 10, y: 10 }], 'b'), frame(1, [{ id: 2, cat: 5, x: 52, y: 40 }], 'a')];
    const out = await firstValueFrom(from(frames).pipe(track({ minHits: 1 }), toArray()));
    expect(out).to.have.length(3);
    // Camera b has its own id space (its stuff and thing ids start at 1 and 2 too).
    expect(out[1]!.segments.map((s) => s.trackId)).to.deep.equal(out[0]!.segments.map((s) => s.trackId));
    expect(out[2]!.segments[1]!.trackId).to.equal(out[0]!.segments[1]!.trackId);
    for (const f of out) expect(f.timings.trackMs).to.be.a('number').and.at.least(0);
  });

  it('fails at construction on bad options, and errors the stream on a bad frame', async () => {
    expect(() => track({ overlap: 'pixels' })).to.throw(ConfigError, /tracking\.overlap/);
    const bad = { ...frame(0, []), height: -1 };
    let err: unknown;
    await firstValueFrom(from([bad]).pipe(track())).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(TypeError);
  });
});
