import { expect } from 'chai';
import { ConfigError } from '../../src/core/errors.js';
import { runStqCommand } from '../../src/eval/stq-command.js';
import { dataPath } from '../helpers/fixtures.js';

describe('eval stq command', function () {
  this.timeout(60_000);
  it('scores KITTI-STEP ground truth against itself as STQ 1 (tolerance 1e-12) and prints a per-sequence table', async () => {
    const lines: string[] = [];
    const dir = dataPath('kitti-step', 'panoptic');
    expect(await runStqCommand({ format: 'step', gt: dir, pred: dir }, (l) => lines.push(l))).to.equal(0);
    expect(lines.at(-2)).to.match(/^0001\s+10\s+1\.0000\s+1\.0000\s+1\.0000/);
    expect(lines.at(-1)).to.match(/^all\s+10\s+1\.0000/);
  });

  it('names the bad flag and value', async () => {
    const dir = dataPath('kitti-step', 'panoptic');
    let err: unknown;
    await runStqCommand({ format: 'coco', gt: dir, pred: dir }, () => {}).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(ConfigError).and.to.have.property('message').that.matches(/--format.*coco/);
    err = undefined;
    await runStqCommand({ format: 'step', gt: dir, pred: '/nonexistent' }, () => {}).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(ConfigError).and.to.have.property('message').that.matches(/--pred/);
  });
});
