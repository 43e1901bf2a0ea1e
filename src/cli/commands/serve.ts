/** `panoptic-stream serve [--config FILE]`: the server with the cameras, model and outputs of a config file. */
import { dirname, resolve as resolvePath } from 'node:path';
import { readConfigFile } from '../../core/config.js';
import type { PanopticApp } from '../../server/app.js';
import { parseServerConfig } from '../../server/config.js';
import { flagNumber, flagString, parseArgs } from '../args.js';
import type { Command } from '../types.js';

/** Applies --host/--port over a raw config object (before validation, so errors still name the field). */
export function withListenOverrides(raw: unknown, host: string | undefined, port: number | undefined): Record<string, unknown> {
  const cfg = { ...((raw ?? {}) as Record<string, unknown>) };
  if (host !== undefined || port !== undefined) {
    cfg.server = { ...((cfg.server ?? {}) as Record<string, unknown>), ...(host !== undefined ? { host } : {}), ...(port !== undefined ? { port } : {}) };
  }
  return cfg;
}

/**
 * Makes `modelDirs` and `samples` of a config file absolute, relative to the file's own directory
 * (so a config works whatever the current directory is). Other values are left as they are.
 */
export function resolveConfigPaths(raw: unknown, file: string | undefined): Record<string, unknown> {
  const cfg = { ...((raw ?? {}) as Record<string, unknown>) };
  if (!file) return cfg;
  const base = dirname(resolvePath(file));
  if (Array.isArray(cfg.modelDirs)) cfg.modelDirs = cfg.modelDirs.map((d) => (typeof d === 'string' ? resolvePath(base, d) : d));
  if (typeof cfg.samples === 'string') cfg.samples = resolvePath(base, cfg.samples);
  return cfg;
}

/** Runs the app until `signal` aborts, then closes it (every FFmpeg child exits). */
export async function serveUntilAborted(app: PanopticApp, signal: AbortSignal): Promise<number> {
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await app.close();
  return 0;
}

const serve: Command = {
  name: 'serve',
  usage: 'serve [--config FILE] [--host H] [--port N]',
  summary: 'run the server (REST, WebSocket, MJPEG, WHEP, metrics) from a YAML/JSON config',
  async run(argv, signal) {
    const args = parseArgs(argv, { config: 'string', host: 'string', port: 'string' });
    const file = flagString(args, 'config');
    const raw = withListenOverrides(resolveConfigPaths(file ? readConfigFile(file) : {}, file), flagString(args, 'host'), flagNumber(args, 'port', { min: 0, integer: true }));
    const config = parseServerConfig(raw);
    console.error(`loading model ${config.model} …`);
    // Imported here: loading the model runtime only when a command needs it keeps `--help` fast.
    const { PanopticApp } = await import('../../server/app.js');
    const app = await PanopticApp.start(config, { awaitModel: true });
    console.log(`panoptic-stream serving ${config.cameras.length} camera(s) at ${app.url}  (Ctrl-C to stop)`);
    return serveUntilAborted(app, signal);
  },
};

export default serve;
