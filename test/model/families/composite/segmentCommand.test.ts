import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { main } from '../../../../src/cli/main.js';
import { loadImage } from '../../../../src/core/image.js';
import { dataPath, repoRoot, sharedModelsDir } from '../../../helpers/fixtures.js';

/** Runs the real CLI binary (exit codes are the process's own); resolves after the process exits. */
function cliProcess(args: string[]): Promise<{ code: number; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(repoRoot, 'bin', 'panoptic-stream.js'), ...args], { timeout: 50_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, err: stderr });
    });
  });
}

/** Runs the CLI in-process (to reuse this process's warm module cache), capturing console output. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  try {
    return { code: await main(args), out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

describe('panoptic-stream segment', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    process.env.PANOPTIC_STREAM_MODELS ??= sharedModelsDir();
    dir = mkdtempSync(join(tmpdir(), 'ps-segment-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes an overlay PNG and segments JSON for bus.jpg with the `fast` bundle', async () => {
    const out = join(dir, 'overlay.png');
    const json = join(dir, 'segments.json');
    const r = await cli(['segment', dataPath('images', 'bus.jpg'), '--model', 'fast', '--ep', 'cpu', '--out', out, '--json', json]);
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.match(/fast: \d+ segments/).and.match(/person/);
    const overlay = await loadImage(out);
    expect([overlay.width, overlay.height]).to.deep.equal([810, 1080]);
    const doc = JSON.parse(readFileSync(json, 'utf8')) as { version: number; model: string; segments: { category: string; isThing: boolean; area: number; bbox: number[] }[] };
    expect(doc.version).to.equal(1);
    expect(doc.model).to.equal('fast');
    expect(doc.segments.filter((s) => s.category === 'person' && s.isThing).length).to.be.at.least(2);
    expect(doc.segments.some((s) => s.category === 'road' && !s.isThing)).to.equal(true);
    for (const s of doc.segments) expect(s.area).to.be.greaterThan(0);
  });

  it('exits 2 with a message naming the file when IMAGE is not an image', async () => {
    const bad = join(dir, 'notes.png');
    writeFileSync(bad, 'plain text');
    const r = await cliProcess(['segment', bad, '--model', 'fast']);
    expect(r.code, r.err).to.equal(2);
    expect(r.err).to.match(/IMAGE/).and.match(/notes\.png/).and.match(/not a readable image/);
  });

  it('exits 2 naming the model when the bundle does not exist, and on a missing IMAGE', async () => {
    const r = await cliProcess(['segment', dataPath('images', 'bus.jpg'), '--model', 'no-such-model']);
    expect(r.code, r.err).to.equal(2);
    expect(r.err).to.match(/no-such-model/);
    const missing = await cliProcess(['segment']);
    expect(missing.code, missing.err).to.equal(2);
    expect(missing.err).to.match(/IMAGE/);
  });
});
