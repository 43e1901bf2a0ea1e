import { expect } from 'chai';
import { SCENARIOS, runScenario } from './scenarios.js';

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
