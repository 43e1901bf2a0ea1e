/** Builds the full FFmpeg command line of a frame source (pure, unit-testable). */
import { buildInputArgs, type InputArgOptions, type SourceSpec } from './url.js';
import type { Size } from './types.js';

export interface OutputPlan {
  /** Main output size. */
  main: Size;
  /** Optional second output on fd 3. */
  scaled?: Size;
  /** Drop-only frame rate cap (frames/s). */
  maxFps?: number;
}

/**
 * `ffmpeg -nostdin … <input> -filter_complex … -map [o1] -f rawvideo pipe:1 [-map [o2] … pipe:3]`.
 * The scale is always explicit so a mid-stream resolution change never breaks the framing; the log level is
 * `verbose` because that is where FFmpeg reports the filter graph's input size (resolution changes).
 */
export function buildFfmpegArgs(spec: SourceSpec, input: InputArgOptions, out: OutputPlan): string[] {
  const pre: string[] = [];
  // Drop-only cap (the fps filter would also duplicate frames when the source is slower than the cap).
  if (out.maxFps) pre.push(`select=isnan(prev_selected_t)+gte(t-prev_selected_t\\,${(0.95 / out.maxFps).toFixed(6)})`);
  const head = `[0:v:0]${pre.length ? pre.join(',') + ',' : ''}`;
  const scale = (s: Size): string => `scale=${s.width}:${s.height}:flags=bilinear,format=rgb24`;
  const graph = out.scaled ? `${head}split=2[a][b];[a]${scale(out.main)}[o1];[b]${scale(out.scaled)}[o2]` : `${head}${scale(out.main)}[o1]`;
  const raw = ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-vsync', 'passthrough'];
  return [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-loglevel',
    'verbose',
    ...buildInputArgs(spec, input),
    '-filter_complex',
    graph,
    '-map',
    '[o1]',
    ...raw,
    'pipe:1',
    ...(out.scaled ? ['-map', '[o2]', ...raw, 'pipe:3'] : []),
  ];
}

const GRAPH_INPUT = /graph \d+ input from stream \d+:\d+ @ [^\]]*\] w:(\d+) h:(\d+)/;

/** Parses FFmpeg's (verbose) "graph input" line: the decoded size at each filter graph (re)configuration. */
export function parseGraphInputSize(line: string): Size | undefined {
  const m = GRAPH_INPUT.exec(line);
  return m ? { width: Number(m[1]), height: Number(m[2]) } : undefined;
}
