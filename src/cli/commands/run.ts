/**
 * `panoptic-stream run SOURCE --model NAME [--json out.ndjson] [--video out.mp4]`: offline mode. Reads
 * every frame of SOURCE as fast as the model goes (pull with back-pressure: no frame dropped), tracks,
 * writes one segment message per line (NDJSON) and an annotated video encoded by an FFmpeg child
 * reading raw RGB frames on its stdin. Progress, fps and ETA on stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { ConfigError, PanopticError } from '../../core/errors.js';
import type { Frame, RgbImage } from '../../core/types.js';
import { flagNumber, flagString, parseArgs } from '../args.js';
import type { Command } from '../types.js';

const MODES = ['overlay', 'raw', 'depth', 'side-by-side'] as const;

/** `12:05` / `1:02:03` */
export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '--:--';
  const s = Math.round(sec);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** One progress line: bar, count, fps, ETA (total unknown → no bar). */
export function progressLine(done: number, total: number | undefined, elapsedMs: number): string {
  const fps = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  if (!total) return `${done} frames  ${fps.toFixed(1)} fps`;
  const frac = Math.min(1, done / total);
  const width = 30;
  const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
  const eta = fps > 0 ? (total - done) / fps : NaN;
  return `[${bar}] ${done}/${total} ${(frac * 100).toFixed(0)}%  ${fps.toFixed(1)} fps  ETA ${formatDuration(eta)}`;
}

/** FFmpeg encoding raw RGB24 frames from stdin to an H.264 MP4 (even size padded). */
function startEncoder(ffmpeg: string, out: string, w: number, h: number, fps: number): ChildProcess {
  const args = ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${w}x${h}`, '-r', String(fps), '-i', 'pipe:0'];
  args.push('-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', out);
  return spawn(ffmpeg, args, { stdio: ['pipe', 'ignore', 'pipe'] });
}

async function write(stream: NodeJS.WritableStream, data: Uint8Array | string): Promise<void> {
  if (!stream.write(data)) await once(stream, 'drain');
}

const run: Command = {
  name: 'run',
  usage: 'run SOURCE --model NAME [--json out.ndjson] [--video out.mp4]',
  summary: 'offline: process a file as fast as possible → NDJSON segments and an annotated video',
  async run(argv, signal) {
    const args = parseArgs(argv, { model: 'string', json: 'string', video: 'string', mode: 'string', masks: 'boolean', 'max-frames': 'string', 'model-dir': 'string' });
    const [source, extra] = args.positionals;
    if (!source) throw new ConfigError('SOURCE', undefined, 'missing: give a video file or URL');
    if (extra) throw new ConfigError('SOURCE', extra, 'only one source per run');
    const jsonPath = flagString(args, 'json');
    const videoPath = flagString(args, 'video');
    if (!jsonPath && !videoPath) throw new ConfigError('--json', undefined, 'give --json FILE and/or --video FILE');
    const mode = flagString(args, 'mode') ?? 'overlay';
    if (!(MODES as readonly string[]).includes(mode)) throw new ConfigError('--mode', mode, `expected one of ${MODES.join(', ')}`);
    const maxFrames = flagNumber(args, 'max-frames', { min: 1, integer: true });
    const modelName = flagString(args, 'model') ?? 'default';
    const modelDir = flagString(args, 'model-dir');

    const [{ FrameSource }, { resolveFfmpeg }, { loadModel }, { Tracker }, { OverlayRenderer }, { toSegmentMessage }] = await Promise.all([
      import('../../ingest/frame-source.js'),
      import('../../ingest/ffmpeg-binary.js'),
      import('../../model/loader.js'),
      import('../../tracking/tracker.js'),
      import('../../streams/render/overlay.js'),
      import('../../streams/serialize/segment-message.js'),
    ]);
    const { imageFor } = await import('../../streams/stages.js');
    const src = new FrameSource({ cameraId: 'run', url: source, loop: false, realtime: false, backpressure: 'pause', retry: { maxRetries: 0 } });
    const adapter = await loadModel(modelName, modelDir ? { modelDirs: [modelDir] } : {});
    const tracker = new Tracker();
    const renderer = new OverlayRenderer(adapter.categories, { mode: mode as (typeof MODES)[number] });
    let json: WriteStream | undefined;
    let enc: ChildProcess | undefined;
    let encErr = '';
    let done = 0;
    let encoderCode: number | null = 0;
    const t0 = Date.now();
    let lastDraw = 0;
    try {
      json = jsonPath ? createWriteStream(jsonPath) : undefined;
      src.start();
      for (;;) {
        if (signal.aborted) break;
        let frame: Frame;
        try {
          frame = await src.latest(signal);
        } catch (err) {
          if (signal.aborted) break;
          if (src.state === 'stopped') break; // end of the file
          throw err;
        }
        const [result] = await adapter.process([frame], signal);
        const tracked = tracker.update({ ...result!, frame });
        if (json) await write(json, JSON.stringify(toSegmentMessage(tracked, { model: modelName, categories: adapter.categories }, { masks: args.flags.has('masks') })) + '\n');
        if (videoPath) {
          const img: RgbImage = renderer.render(imageFor(frame, tracked), tracked);
          if (!enc) {
            const fps = src.probe?.fps || 25;
            enc = startEncoder(resolveFfmpeg(), videoPath, img.width, img.height, fps);
            enc.stderr!.on('data', (d: Buffer) => (encErr = (encErr + d.toString()).slice(-2000)));
            enc.stdin!.on('error', () => undefined); // reported through the exit code below
          }
          await write(enc.stdin!, img.data);
        }
        done++;
        const now = Date.now();
        if (now - lastDraw > 250) {
          lastDraw = now;
          const p = src.probe;
          const total = p?.durationSec && p.fps ? Math.round(p.durationSec * p.fps) : undefined;
          process.stderr.write(`\r${progressLine(done, maxFrames ?? total, now - t0)}   `);
        }
        if (maxFrames && done >= maxFrames) break;
      }
    } finally {
      process.stderr.write(`\r${progressLine(done, done, Date.now() - t0)}   \n`);
      await src.close();
      await adapter.close();
      if (json) await new Promise<void>((resolve) => json!.end(() => resolve()));
      if (enc) {
        const exited = once(enc, 'exit') as Promise<[number | null]>;
        enc.stdin!.end();
        [encoderCode] = await exited;
      }
    }
    if (encoderCode !== 0 && !signal.aborted) throw new PanopticError(`video encoder (ffmpeg) exited with code ${encoderCode}: ${encErr.trim()}`, { code: 'ERR_ENCODER' });
    console.log(`${done} frames${jsonPath ? ` → ${jsonPath}` : ''}${videoPath ? ` → ${videoPath}` : ''}`);
    return done > 0 ? 0 : 1;
  },
};

export default run;
