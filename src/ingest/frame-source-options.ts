/** Validation and defaults of {@link FrameSourceOptions} (errors name the field, e.g. `scaled.width`). */
import { z } from 'zod';
import { parseWith } from '../core/config.js';
import type { FrameSourceOptions, Size } from './types.js';

const size = z.number().int().min(16).max(8192).refine((n) => n % 2 === 0, 'must be even (YUV chroma subsampling)');

const schema = z
  .object({
    cameraId: z.string().min(1).max(128).regex(/^[\w.:@-]+$/, 'letters, digits and _ . : @ - only'),
    url: z.string(),
    width: size.optional(),
    height: size.optional(),
    scaled: z.object({ width: size, height: size }).strict().optional(),
    maxFps: z.number().positive().max(240).optional(),
    loop: z.boolean().default(false),
    realtime: z.boolean().optional(),
    transport: z.enum(['tcp', 'udp']).default('tcp'),
    retry: z.record(z.string(), z.unknown()).optional(),
    stallTimeoutMs: z.number().int().min(100).max(600_000).default(5000),
    ioTimeoutMs: z.number().int().min(100).max(600_000).default(5000),
    probeTimeoutMs: z.number().int().min(100).max(600_000).default(10_000),
    extraProtocols: z.array(z.string().regex(/^[a-z0-9_]+$/)).default([]),
    backpressure: z.enum(['drop', 'pause']).default('drop'),
    killGraceMs: z.number().int().min(10).max(60_000).default(2000),
    ffmpegPath: z.string().min(1).optional(),
    ffprobePath: z.string().min(1).optional(),
  })
  .strict()
  .refine((o) => (o.width === undefined) === (o.height === undefined), { message: 'width and height must be given together', path: ['height'] });

export interface ResolvedOptions {
  cameraId: string;
  width?: number;
  height?: number;
  scaled?: Size;
  maxFps?: number;
  loop: boolean;
  realtime?: boolean;
  transport: 'tcp' | 'udp';
  stallTimeoutMs: number;
  ioTimeoutMs: number;
  probeTimeoutMs: number;
  extraProtocols: string[];
  backpressure: 'drop' | 'pause';
  killGraceMs: number;
  ffmpegPath?: string;
  ffprobePath?: string;
}

export function resolveFrameSourceOptions(options: FrameSourceOptions): ResolvedOptions {
  const o = parseWith(schema, options);
  return {
    cameraId: o.cameraId,
    ...(o.width !== undefined ? { width: o.width, height: o.height } : {}),
    ...(o.scaled ? { scaled: o.scaled } : {}),
    ...(o.maxFps !== undefined ? { maxFps: o.maxFps } : {}),
    loop: o.loop,
    ...(o.realtime !== undefined ? { realtime: o.realtime } : {}),
    transport: o.transport,
    stallTimeoutMs: o.stallTimeoutMs,
    ioTimeoutMs: o.ioTimeoutMs,
    probeTimeoutMs: o.probeTimeoutMs,
    extraProtocols: o.extraProtocols,
    backpressure: o.backpressure,
    killGraceMs: o.killGraceMs,
    ...(o.ffmpegPath ? { ffmpegPath: o.ffmpegPath } : {}),
    ...(o.ffprobePath ? { ffprobePath: o.ffprobePath } : {}),
  };
}
