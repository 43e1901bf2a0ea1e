import { expect } from 'chai';
import { StqAccumulator, type StqResult } from '../../src/eval/stq.js';
import { trackedToLabels } from '../../src/eval/step-labels.js';
import { Tracker } from '../../src/tracking/tracker.js';
import { LABEL_DIVISOR, linear, synthesize, type SynthNoise, type SynthObject } from './synthetic.js';

const W = 320;
const H = 240;
const STQ_CONFIG = { numClasses: 3, thingClasses: [1, 2], ignoreLabel: 255, labelDivisor: LABEL_DIVISOR, offset: 1 << 20 };

interface Scenario {
  name: string;
  frames: number;
  objects: SynthObject[];
}

const rect = (gtId: number, categoryId: number, w: number, h: number, z: number, path: SynthObject['path']): SynthObject => ({ gtId, categoryId, shape: 'rect', w, h, z, path });

export const SCENARIOS: Scenario[] = [
  {
    name: 'moving objects of two classes',
    frames: 40,
    objects: [
      rect(1, 1, 30, 50, 0, linear([40, 60], [280, 80], 0, 39)),
      { gtId: 2, categoryId: 1, shape: 'disc', w: 30, h: 30, z: 1, path: linear([300, 200], [20, 150], 0, 39) },
      rect(3, 2, 40, 25, 2, linear([160, 20], [160, 220], 0, 39)),
    ],
  },
  {
    name: 'crossing (same class, same size, one passes in front of the other)',
    frames: 40,
    objects: [rect(1, 1, 24, 40, 1, linear([20, 120], [300, 120], 0, 39)), rect(2, 1, 24, 40, 0, linear([300, 124], [20, 124], 0, 39))],
  },
  {
    name: 'occluded by a static object for several frames',
    frames: 40,
    objects: [rect(1, 1, 20, 40, 0, linear([20, 120], [300, 120], 0, 39)), rect(2, 2, 60, 80, 1, () => [160, 120])],
  },
  {
    name: 'entering and leaving the picture',
    frames: 56,
    objects: [
      rect(1, 1, 30, 40, 0, linear([-15, 80], [335, 80], 0, 30)),
      rect(2, 1, 30, 40, 1, linear([335, 160], [-15, 160], 15, 45)),
      rect(3, 1, 30, 40, 2, linear([-15, 80], [335, 80], 25, 55)),
    ],
  },
  {
    name: 'near-identical twins side by side',
    frames: 40,
    objects: [rect(1, 1, 20, 40, 0, linear([100, 100], [220, 140], 0, 39)), rect(2, 1, 20, 40, 0, linear([124, 100], [244, 140], 0, 39))],
  },
];

interface RunResult {
  stq: StqResult;
  /** gtId → set of track ids given to its (visible, predicted) pixels' segments. */
  idsOf: Map<number, Set<number>>;
}

export function runScenario(s: Scenario, noise: SynthNoise = {}, trackerOptions: object = {}, stq = new StqAccumulator(STQ_CONFIG)): RunResult {
  const tracker = new Tracker(trackerOptions);
  const idsOf = new Map<number, Set<number>>();
  for (const f of synthesize(W, H, s.frames, s.objects, noise)) {
    const tracked = tracker.update(f.panoptic);
    for (const seg of tracked.segments) {
      const gtId = f.segmentToGt.get(seg.id) ?? 0;
      if (!seg.isThing || gtId === 0) continue;
      let set = idsOf.get(gtId);
      if (!set) idsOf.set(gtId, (set = new Set()));
      set.add(seg.trackId);
    }
    stq.update(f.gt, trackedToLabels(tracked, LABEL_DIVISOR, 255 * LABEL_DIVISOR), s.name);
  }
  return { stq: stq.result(), idsOf };
}

function expectOneIdEach(idsOf: Map<number, Set<number>>, gtIds: number[]): void {
  const all = new Set<number>();
  for (const g of gtIds) {
    const ids = idsOf.get(g);
    expect(ids, `gt ${g} was tracked`).to.not.equal(undefined);
    expect([...ids!], `gt ${g} keeps one id`).to.have.length(1);
    all.add([...ids!][0]!);
  }
  expect(all.size, 'distinct objects have distinct ids').to.equal(gtIds.length);
}

describe('tracking on synthetic sequences with known tracks', () => {
  describe('perfect segmentation → STQ 1.0 (tolerance 1e-12)', () => {
    for (const s of SCENARIOS) {
      it(s.name, () => {
        const { stq, idsOf } = runScenario(s);
        expectOneIdEach(
          idsOf,
          s.objects.map((o) => o.gtId),
        );
        expect(stq.aq).to.be.closeTo(1, 1e-12);
        expect(stq.sq).to.be.closeTo(1, 1e-12);
        expect(stq.stq).to.be.closeTo(1, 1e-12);
      });
    }
  });

  it('crossing objects do not swap ids: each keeps the id it had before the crossing', () => {
    const { idsOf } = runScenario(SCENARIOS[1]!);
    expectOneIdEach(idsOf, [1, 2]);
  });

  it('segments dropped for k < maxAgeFrames frames keep their ids (k = 5 and 8, maxAgeFrames 30)', () => {
    const drop = { 1: [10, 11, 12, 13, 14], 2: [20, 21, 22, 23, 24, 25, 26, 27] };
    const { idsOf } = runScenario(SCENARIOS[0]!, { drop }, { maxAgeFrames: 30 });
    expectOneIdEach(idsOf, [1, 2, 3]);
  });

  it('…and a track missing longer than maxAgeFrames ends: the object comes back with a new id', () => {
    const drop = { 1: [10, 11, 12, 13, 14] };
    const { idsOf } = runScenario(SCENARIOS[0]!, { drop }, { maxAgeFrames: 3 });
    expect([...idsOf.get(1)!]).to.have.length(2);
    expectOneIdEach(idsOf, [2, 3]);
  });

  it('an object fully hidden behind the crossing partner for several frames keeps its id (segments dropped while hidden)', () => {
    // Same crossing, but the rear object is also dropped for 4 frames around the crossing.
    const { idsOf } = runScenario(SCENARIOS[1]!, { drop: { 2: [18, 19, 20, 21] } });
    expectOneIdEach(idsOf, [1, 2]);
  });
});
