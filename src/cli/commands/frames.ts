/** `panoptic-stream frames <url> --count N --out DIR`: dumps decoded frames as PNG or JPEG files. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors.js';
import { encodeJpeg, encodePng } from '../../core/image.js';
import { FrameSource } from '../../ingest/frame-source.js';
import { flagNumber, flagString, parseArgs } from '../args.js';
import type { Command } from '../types.js';

const command: Command = {
  name: 'frames',
  usage: 'frames <url> --count N --out DIR [--width W --height H] [--format png|jpeg] [--loop]',
  summary: 'Decode N frames from a source and write them as images',
  async run(argv, signal) {
    const args = parseArgs(argv, { count: 'string', out: 'string', width: 'string', height: 'string', format: 'string', loop: 'boolean', 'max-fps': 'string' });
    const url = args.positionals[0];
    if (!url || args.positionals.length > 1) throw new ConfigError('url', args.positionals.join(' ') || undefined, 'expected exactly one URL or file path');
    const count = flagNumber(args, 'count', { min: 1, integer: true }) ?? 10;
    const out = flagString(args, 'out');
    if (!out) throw new ConfigError('--out', undefined, 'required: directory to write the images to');
    const format = flagString(args, 'format') ?? 'png';
    if (format !== 'png' && format !== 'jpeg') throw new ConfigError('--format', format, 'expected png or jpeg');
    const width = flagNumber(args, 'width', { min: 16, integer: true });
    const height = flagNumber(args, 'height', { min: 16, integer: true });
    const maxFps = flagNumber(args, 'max-fps', { min: 0.01 });
    mkdirSync(out, { recursive: true });
    const source = new FrameSource({
      cameraId: 'cli',
      url,
      ...(width !== undefined ? { width } : {}),
      ...(height !== undefined ? { height } : {}),
      ...(maxFps !== undefined ? { maxFps } : {}),
      loop: args.flags.has('loop'),
      retry: { maxRetries: 3 },
      // Pull mode with pause: every decoded frame is written, none dropped, however slow the encoder.
      backpressure: 'pause',
    });
    const onAbort = (): void => void source.close();
    signal.addEventListener('abort', onAbort, { once: true });
    let written = 0;
    try {
      source.start();
      while (written < count) {
        let frame;
        try {
          frame = await source.latest(signal);
        } catch (err) {
          if (signal.aborted) throw err;
          if (source.state === 'stopped' && written > 0) break; // end of a short file
          throw err;
        }
        const name = join(out, `frame-${String(frame.seq).padStart(6, '0')}.${format === 'png' ? 'png' : 'jpg'}`);
        writeFileSync(name, format === 'png' ? await encodePng(frame) : await encodeJpeg(frame, 90));
        written++;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      await source.close();
    }
    console.log(JSON.stringify({ written, out, ...source.stats() }));
    return 0;
  },
};
export default command;
