import { expect } from 'chai';
import { Subject, lastValueFrom, toArray } from 'rxjs';
import { LatestByKey, LatestDelivery, LatestSlot, mapLatestAsync } from '../../src/streams/latest.js';

const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('streams/latest', () => {
  it('LatestSlot keeps only the newest value and counts drops', async () => {
    const slot = new LatestSlot<number>();
    expect(slot.set(1)).to.equal(false);
    expect(slot.set(2)).to.equal(true);
    expect(slot.set(3)).to.equal(true);
    expect(slot.dropped).to.equal(2);
    expect(slot.take()).to.equal(3);
    expect(slot.take()).to.equal(undefined);
    const waiting = slot.next();
    slot.set(4); // goes straight to the waiter, no drop
    expect(await waiting).to.equal(4);
    expect(slot.dropped).to.equal(2);
    const ctl = new AbortController();
    const aborted = slot.next(ctl.signal);
    ctl.abort(new Error('bye'));
    let msg = '';
    await aborted.catch((e: Error) => (msg = e.message));
    expect(msg).to.equal('bye');
    slot.set(5);
    slot.clear();
    expect(slot.dropped).to.equal(3);
    expect(slot.offered).to.equal(5);
  });

  it('LatestByKey holds one value per key and serves keys oldest-pending first', () => {
    const q = new LatestByKey<string, number>();
    q.offer('a', 1);
    q.offer('b', 1);
    q.offer('a', 2); // replaces a's value, a keeps its place
    expect(q.size).to.equal(2);
    expect(q.take()).to.deep.equal(['a', 2]);
    q.offer('a', 3);
    expect(q.take()).to.deep.equal(['b', 1]);
    expect(q.take()).to.deep.equal(['a', 3]);
    expect(q.take()).to.equal(undefined);
    expect(q.droppedFor('a')).to.equal(1);
    expect(q.dropped).to.equal(1);
  });

  it('LatestDelivery: a slow sink gets the newest value per key; pending stays ≤ one per key', async () => {
    const got: string[] = [];
    let release: (() => void) | undefined;
    const d = new LatestDelivery<string, number>(async (v, k) => {
      got.push(`${k}${v}`);
      await new Promise<void>((r) => (release = r));
    });
    d.offer('cam1', 0); // sent at once
    for (let i = 1; i <= 1000; i++) {
      d.offer('cam1', i);
      d.offer('cam2', i);
      expect(d.stats().pending).to.be.at.most(2);
    }
    await tick();
    release!();
    await tick();
    release!();
    await tick();
    release!();
    await d.idle();
    expect(got).to.deep.equal(['cam10', 'cam11000', 'cam21000']);
    const s = d.stats();
    expect(s).to.include({ offered: 2001, delivered: 3, dropped: 1998, pending: 0, inFlight: false });
    expect(d.droppedFor('cam1')).to.equal(999);
    await d.close();
    expect(d.offer('cam1', 5)).to.equal(false);
  });

  it('LatestDelivery reports send errors and keeps going', async () => {
    const errors: string[] = [];
    const sent: number[] = [];
    const d = new LatestDelivery<string, number>(
      (v) => {
        if (v === 1) throw new Error('socket closed');
        sent.push(v);
      },
      { onError: (e, k) => errors.push(`${k}: ${(e as Error).message}`) },
    );
    d.offer('x', 1);
    await d.idle();
    d.offer('x', 2);
    await d.idle();
    expect(errors).to.deep.equal(['x: socket closed']);
    expect(sent).to.deep.equal([2]);
    expect(d.stats().failed).to.equal(1);
    await d.close();
    await d.close(); // idempotent
  });

  it('mapLatestAsync runs one at a time and keeps only the newest waiting value', async () => {
    const src = new Subject<number>();
    const dropped: number[] = [];
    const started: number[] = [];
    const out = lastValueFrom(
      src.pipe(
        mapLatestAsync(async (v) => {
          started.push(v);
          await tick(20);
          return v * 10;
        }, (v) => dropped.push(v)),
        toArray(),
      ),
    );
    src.next(1);
    src.next(2);
    src.next(3);
    src.next(4);
    await tick(5);
    src.complete(); // completion waits for 1 and the pending 4
    expect(await out).to.deep.equal([10, 40]);
    expect(started).to.deep.equal([1, 4]);
    expect(dropped).to.deep.equal([2, 3]);
  });
});
