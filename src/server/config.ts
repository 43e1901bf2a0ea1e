/**
 * Server configuration (YAML or JSON file, or built in code): cameras, model, model dirs, execution
 * providers, server {host, port, token, cors}, outputs. Validated by zod; errors name the field path.
 * Env: `PANOPTIC_STREAM_TOKEN` supplies the bearer token when the file has none.
 */
import { z } from 'zod';
import { parseWith, readConfigFile } from '../core/config.js';
import { ConfigError } from '../core/errors.js';

/** Camera ids appear in URLs and metric labels: keep them to a safe alphabet. */
export const CAMERA_ID = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'expected 1-64 characters: letters, digits, "_" or "-", starting with a letter or digit');

/** Fields of a camera that a client may set (POST body, PATCH body without `id`). */
export const cameraFields = {
  /** Source URL: rtsp(s)://, http(s)://, rtmp://, a file path, /dev/videoN or the test pattern. */
  url: z.string().min(1, 'must not be empty'),
  /** Display name (default: the id). */
  name: z.string().max(200).optional(),
  /** Loop a file source, paced at its native rate, so it behaves like a live camera (default false). */
  loop: z.boolean().optional(),
  /** Upper bound on frames per second taken from the source (default: the source's rate). */
  maxFps: z.number().positive().max(120).optional(),
  /** Output width in pixels (default: the source's, height keeps the aspect when omitted). */
  width: z.number().int().min(16).max(7680).optional(),
  /** Output height in pixels. */
  height: z.number().int().min(16).max(4320).optional(),
  /** RTSP transport (default tcp). */
  rtspTransport: z.enum(['tcp', 'udp']).optional(),
};

export const CameraConfigSchema = z.strictObject({ id: CAMERA_ID, ...cameraFields });
export type CameraConfig = z.output<typeof CameraConfigSchema>;
export const CameraPatchSchema = z.strictObject({
  url: cameraFields.url.optional(),
  name: cameraFields.name,
  loop: cameraFields.loop,
  maxFps: cameraFields.maxFps,
  width: cameraFields.width,
  height: cameraFields.height,
  rtspTransport: cameraFields.rtspTransport,
});

export const RenderModeSchema = z.enum(['overlay', 'raw', 'depth', 'side-by-side']);

export const ServerConfigSchema = z.strictObject({
  /** Model bundle name (default `default`). */
  model: z.string().min(1).default('default'),
  /** Extra model directories searched first (then PANOPTIC_STREAM_MODELS, ./models, the cache). */
  modelDirs: z.array(z.string().min(1)).default([]),
  /** Execution provider preference, e.g. ["cuda","cpu"] (default: the runtime's list). */
  executionProviders: z.array(z.string().min(1)).optional(),
  /**
   * Run the model (preprocess, inference, decode) in a worker thread so the event loop keeps serving
   * ingest, WebSocket, MJPEG and WHEP while a frame is decoded (default true; false = in the main thread).
   */
  modelWorker: z.boolean().default(true),
  /** Sample data directory (contains video/…); the demo loops its sample video as a live camera. */
  samples: z.string().min(1).optional(),
  cameras: z.array(CameraConfigSchema).default([]),
  scheduler: z
    .strictObject({
      /** Most frames in one batch (default: the model's maximum). */
      maxBatch: z.number().int().min(1).max(64).optional(),
      /** Longest a frame waits for a batch to fill, in ms (default 10). */
      maxWaitMs: z.number().min(0).max(1000).optional(),
    })
    .default({}),
  server: z
    .strictObject({
      /** Listen address (default 127.0.0.1; 0.0.0.0 to serve the network). */
      host: z.string().min(1).default('127.0.0.1'),
      /** TCP port (default 8080; 0 picks a free one). */
      port: z.number().int().min(0).max(65535).default(8080),
      /** Bearer token for mutating endpoints (default: env PANOPTIC_STREAM_TOKEN; none = open). */
      token: z.string().min(8, 'must be at least 8 characters').optional(),
      /** Require the token on streams too (WS, MJPEG, WHEP, snapshots, metrics); default false. */
      authStreams: z.boolean().default(false),
      /** CORS: allowed origins ("*" for any); default none (same-origin only). */
      cors: z.strictObject({ origins: z.array(z.string().min(1)).default([]) }).default({ origins: [] }),
    })
    .default({ host: '127.0.0.1', port: 8080, authStreams: false, cors: { origins: [] } }),
  outputs: z
    .strictObject({
      /** Annotated video mode (default overlay). */
      mode: RenderModeSchema.default('overlay'),
      /** Overlay opacity 0..1 (default 0.5). */
      alpha: z.number().min(0).max(1).default(0.5),
      /** JPEG quality 1..100 for MJPEG, snapshots and WS binary frames (default 80). */
      jpegQuality: z.number().int().min(1).max(100).default(80),
      /** Frames per second cap of MJPEG streams (default 15). */
      mjpegMaxFps: z.number().positive().max(60).default(15),
      /** WHEP (WebRTC) egress on/off (default on). */
      whep: z.boolean().default(true),
      /** A WebSocket client whose socket holds more than this many KiB gets nothing new until it drains (default 512). */
      wsMaxBufferedKiB: z.number().int().min(16).max(65536).default(512),
      /** WebSocket ping interval in ms; a client that misses one pong is disconnected (default 15000). */
      wsPingIntervalMs: z.number().int().min(1000).max(600000).default(15000),
    })
    .default({ mode: 'overlay', alpha: 0.5, jpegQuality: 80, mjpegMaxFps: 15, whep: true, wsMaxBufferedKiB: 512, wsPingIntervalMs: 15000 }),
});

export type ServerConfig = z.output<typeof ServerConfigSchema>;
export type ServerConfigInput = z.input<typeof ServerConfigSchema>;

/** Validates a config object; the token falls back to env PANOPTIC_STREAM_TOKEN. */
export function parseServerConfig(input: unknown, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const cfg = parseWith(ServerConfigSchema, input ?? {}, '');
  if (!cfg.server.token && env.PANOPTIC_STREAM_TOKEN) {
    cfg.server.token = parseWith(ServerConfigSchema.shape.server.unwrap().shape.token, env.PANOPTIC_STREAM_TOKEN, 'PANOPTIC_STREAM_TOKEN');
  }
  const ids = new Set<string>();
  cfg.cameras.forEach((c, i) => {
    if (ids.has(c.id)) throw new ConfigError(`cameras[${i}].id`, c.id, 'duplicate camera id');
    ids.add(c.id);
  });
  return cfg;
}

export function loadServerConfig(path: string, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  return parseServerConfig(readConfigFile(path), env);
}
