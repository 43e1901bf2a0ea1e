import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePanopticPng, writeCocoPanoptic } from '../../src/eval/coco-panoptic.js';
import type { PqResult } from '../../src/eval/pq.js';
import { subcommands } from '../../src/cli/commands/eval.js';
import { dataPath, repoRoot } from '../helpers/fixtures.js';
import { loadCocoSamples } from '../helpers/gt-tensors.js';

/** Runs the real binary (tsx fallback in a source checkout) and awaits its exit. */
function runCli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'panoptic-stream.js'), ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('eval CLI: eval pq on COCO panoptic files', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ps-eval-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the table and writes JSON for predictions written to a tmp dir (one truck dropped)', async () => {
    const coco = loadCocoSamples();
    const items = coco.map((g, k) => {
      const victim = k === 1 ? g.segments.find((s) => s.categoryId === 8)!.id : -1;
      return {
        imageId: Number(g.name.replace('.png', '')),
        fileName: g.name,
        image: { width: g.width, height: g.height, ids: g.ids.map((v) => (v === victim ? 0 : v)), segments: g.segments.filter((s) => s.id !== victim).map((s) => ({ id: s.id, categoryId: s.categoryId })) },
      };
    });
    const predJson = join(dir, 'pred.json'), predDir = join(dir, 'pred');
    await writeCocoPanoptic(predJson, predDir, items);
    // PNG round trip keeps every id (R + 256·G + 256²·B).
    const back = decodePanopticPng(readFileSync(join(predDir, coco[0]!.name)));
    expect(Array.from(back.ids)).to.deep.equal(Array.from(coco[0]!.ids));
    const out = join(dir, 'pq.json');
    const r = await runCli(['eval', 'pq', '--gt-json', dataPath('coco-panoptic-sample', 'panoptic_examples.json'), '--gt-dir', dataPath('coco-panoptic-sample', 'panoptic_examples'), '--pred-json', predJson, '--pred-dir', predDir, '--json', out, '--per-class']);
    expect(r.code, r.err).to.equal(0);
    const expected = (7 + 1 / 1.5) / 8; // 8 classes, truck: 1 TP + 1 FN
    expect(r.out).to.match(new RegExp(`All\\s+\\|\\s+${(100 * expected).toFixed(1)} \\|`)).and.match(/8 truck/);
    const json = JSON.parse(readFileSync(out, 'utf8')) as PqResult;
    expect(json.all.pq).to.be.closeTo(expected, 1e-12);
    expect(json.images).to.equal(2);
  });

  it('exits 2 with a message naming the flag when an input is missing or unknown', async () => {
    const r = await runCli(['eval', 'pq', '--gt-json', dataPath('coco-panoptic-sample', 'panoptic_examples.json')]);
    expect(r.code).to.equal(2);
    expect(r.err).to.match(/--gt-dir.*required/);
    const u = await runCli(['eval', 'nope']);
    expect(u.code).to.equal(2);
    expect(u.err).to.match(/unknown metric; valid: pq/);
  });

  it('exports the sub-command map for other metrics', () => {
    expect(Object.keys(subcommands)).to.include('pq');
    expect(subcommands.pq!.usage).to.match(/^eval pq --gt-json/);
  });
});
