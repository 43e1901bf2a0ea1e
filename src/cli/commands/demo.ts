/**
 * `panoptic-stream demo` (what `npm start` runs): the server with one live camera — the sample video
 * looped in real time when sample data is configured (env PANOPTIC_STREAM_DATA, or `samples` in a
 * config file), else the built-in test pattern — the `default` model, and the viewer URL printed.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readConfigFile } from '../../core/config.js';
import { parseServerConfig } from '../../server/config.js';
import { flagNumber, flagString, parseArgs } from '../args.js';
import type { Command } from '../types.js';
import { resolveConfigPaths, serveUntilAborted, withListenOverrides } from './serve.js';

export const SAMPLE_VIDEO_NAME = join('video', 'one-by-one-person-detection.mp4');

/** The demo camera: the looped sample video when a samples directory has it, else the test pattern. */
export function demoCamera(samplesDir: string | undefined): { id: string; name: string; url: string; loop?: boolean } {
  const video = samplesDir ? resolve(samplesDir, SAMPLE_VIDEO_NAME) : undefined;
  if (video && existsSync(video)) return { id: 'sample', name: 'Sample video (looped)', url: video, loop: true };
  return { id: 'testsrc', name: 'Test pattern', url: 'testsrc:' };
}

const demo: Command = {
  name: 'demo',
  usage: 'demo [--config FILE] [--model NAME] [--host H] [--port N]',
  summary: 'live demo: a looped sample video (or test pattern) through the default model, viewer URL printed',
  async run(argv, signal) {
    const args = parseArgs(argv, { config: 'string', model: 'string', host: 'string', port: 'string' });
    const file = flagString(args, 'config');
    const raw = withListenOverrides(resolveConfigPaths(file ? readConfigFile(file) : {}, file), flagString(args, 'host'), flagNumber(args, 'port', { min: 0, integer: true }));
    const model = flagString(args, 'model');
    if (model) raw.model = model;
    const samples = (typeof raw.samples === 'string' ? raw.samples : undefined) ?? process.env.PANOPTIC_STREAM_DATA;
    if (!Array.isArray(raw.cameras) || raw.cameras.length === 0) raw.cameras = [demoCamera(samples)];
    const config = parseServerConfig(raw);
    const cam = config.cameras[0]!;
    console.error(`loading model ${config.model} …`);
    // Imported here: loading the model runtime only when a command needs it keeps `--help` fast.
    const { PanopticApp } = await import('../../server/app.js');
    const app = await PanopticApp.start(config, { awaitModel: true });
    console.log(`\npanoptic-stream demo: camera "${cam.id}" (${cam.name ?? cam.url})`);
    if (cam.id === 'testsrc') console.log('  (no sample data configured: set PANOPTIC_STREAM_DATA to a data dir with video/ to see real video)');
    console.log(`  viewer:   ${app.url}`);
    console.log(`  MJPEG:    ${app.url}api/cameras/${cam.id}/mjpeg`);
    console.log(`  segments: ws://${app.url.slice('http://'.length)}ws   metrics: ${app.url}metrics`);
    console.log('  Ctrl-C to stop');
    return serveUntilAborted(app, signal);
  },
};

export default demo;
