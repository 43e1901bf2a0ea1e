/** Scripted synthetic scenarios and a runner that tracks them and scores STQ (shared by tests and bench). */
import { StqAccumulator, type StqResult } from '../../src/eval/stq.js';
import { trackedToLabels } from '../../src/eval/step-labels.js';
import { Tracker } from '../../src/tracking/tracker.js';
import { LABEL_DIVISOR, linear, synthesize, type SynthNoise, type SynthObject } from './synthetic.js';

export const W = 320;
export const H = 240;
export const STQ_CONFIG = { numClasses: 3, thingClasses: [1, 2], ignoreLabel: 255, labelDivisor: LABEL_DIVISOR, offset: 1 << 20 };

export interface Scenario {
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

export interface RunResult {
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

