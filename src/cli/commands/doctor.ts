/** `panoptic-stream doctor`: what this machine has: FFmpeg/ffprobe, Node, onnxruntime and its execution providers. */
import { describeBinaries } from '../../ingest/ffmpeg-binary.js';
import { parseArgs } from '../args.js';
import type { Command } from '../types.js';

const command: Command = {
  name: 'doctor',
  usage: 'doctor',
  summary: 'Report ffmpeg/ffprobe, node, onnxruntime and execution providers (JSON)',
  async run(argv) {
    parseArgs(argv, {});
    const bins = await describeBinaries();
    let onnxruntime: Record<string, unknown>;
    try {
      const { availableExecutionProviders, onnxruntimeVersion } = await import('../../model/session.js');
      onnxruntime = { version: onnxruntimeVersion(), executionProviders: availableExecutionProviders() };
    } catch (err) {
      onnxruntime = { error: (err as Error).message };
    }
    const report = { node: process.version, platform: `${process.platform}-${process.arch}`, ffmpeg: bins.ffmpeg, ffprobe: bins.ffprobe, onnxruntime };
    console.log(JSON.stringify(report, null, 2));
    if (!bins.ffmpeg.path) {
      console.error('ffmpeg not found: set FFMPEG_PATH, install ffmpeg on PATH, or install @ffmpeg-installer/linux-x64');
      return 1;
    }
    if (!bins.ffprobe.path) console.error('note: ffprobe not found; probing falls back to parsing `ffmpeg -i` (set FFPROBE_PATH or install ffprobe)');
    return 0;
  },
};
export default command;
