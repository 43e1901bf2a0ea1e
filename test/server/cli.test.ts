/**
 * CLI commands of the server part: `run` (offline: NDJSON + an annotated MP4 from FFmpeg) on a few
 * frames of the sample video with the real `fast` model, `demo`'s camera choice, and `serve`'s
 * config errors.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import demo, { demoCamera } from '../../src/cli/commands/demo.js';
import run, { formatDuration, progressLine } from '../../src/cli/commands/run.js';
import serve from '../../src/cli/commands/serve.js';
import { ConfigError } from '../../src/core/errors.js';
import { SAMPLE_VIDEO, dataDir, sharedModelsDir } from '../helpers/fixtures.js';

describe('cli: run, demo, serve', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'cli-server-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('run: 6 frames of the sample video → 6 NDJSON segment messages and a 6-frame 768×432 H.264 MP4', async () => {
    const json = join(dir, 'out.ndjson');
    const video = join(dir, 'out.mp4');
    const code = await run.run([SAMPLE_VIDEO(), '--model', 'fast', '--model-dir', sharedModelsDir(), '--json', json, '--video', video, '--max-frames', '6'], new AbortController().signal);
    expect(code).to.equal(0);
    const lines = readFileSync(json, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { seq: number; cameraId: string; segments: unknown[]; width: number });
    expect(lines.map((l) => l.seq)).to.deep.equal([0, 1, 2, 3, 4, 5]);
    expect(lines[0]).to.include({ cameraId: 'run', width: 768 });
    const probe = JSON.parse(
      execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height,nb_read_frames', '-of', 'json', video]).toString(),
    ) as { streams: { codec_name: string; width: number; height: number; nb_read_frames: string }[] };
    expect(probe.streams[0]).to.include({ codec_name: 'h264', width: 768, height: 432, nb_read_frames: '6' });
  });

  it('run: bad arguments are ConfigErrors naming the option', async () => {
    const sig = new AbortController().signal;
    await expectConfigError(run.run([], sig), 'SOURCE');
    await expectConfigError(run.run([SAMPLE_VIDEO()], sig), '--json');
    await expectConfigError(run.run([SAMPLE_VIDEO(), '--json', 'x', '--mode', 'sepia'], sig), '--mode');
  });

  it('progress line: bar, percentage, fps and ETA', () => {
    expect(progressLine(50, 100, 10_000)).to.equal('[###############...............] 50/100 50%  5.0 fps  ETA 0:10');
    expect(progressLine(5, undefined, 1000)).to.equal('5 frames  5.0 fps');
    expect(formatDuration(3725)).to.equal('1:02:05');
  });

  it('demo: loops the sample video when sample data is configured, else the test pattern', () => {
    expect(demoCamera(dataDir())).to.deep.include({ id: 'sample', url: SAMPLE_VIDEO(), loop: true });
    expect(demoCamera(undefined)).to.deep.include({ id: 'testsrc', url: 'testsrc:' });
    expect(demoCamera(dir)).to.deep.include({ id: 'testsrc' });
    expect(demo.name).to.equal('demo');
  });

  it('serve: a config with a bad field fails before anything starts, naming the field', async () => {
    const cfg = join(dir, 'bad.yaml');
    writeFileSync(cfg, 'server:\n  port: 99999\ncameras:\n  - id: lobby\n    url: rtsp://h/x\n');
    await expectConfigError(serve.run(['--config', cfg], new AbortController().signal), 'server.port');
    writeFileSync(cfg, 'cameras:\n  - id: lobby\n    url: rtsp://h/x\n    fps: 3\n');
    await expectConfigError(serve.run(['--config', cfg], new AbortController().signal), 'cameras[0].fps');
    writeFileSync(cfg, 'cameras:\n  - {id: a, url: "testsrc:"}\n  - {id: a, url: "testsrc:"}\n');
    await expectConfigError(serve.run(['--config', cfg], new AbortController().signal), 'cameras[1].id');
  });
});

async function expectConfigError(p: Promise<unknown>, field: string): Promise<void> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).field).to.equal(field);
    return;
  }
  expect.fail(`expected a ConfigError naming ${field}`);
}
