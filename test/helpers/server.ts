/**
 * Starts the real panoptic-stream server (model, pipeline, HTTP) on 127.0.0.1:0 for one suite, and
 * closes it — awaiting every FFmpeg child's exit — in teardown. Models come from the workplace's
 * shared model directory (PANOPTIC_STREAM_MODELS or ../shared/models via fixtures).
 */
import { PanopticApp, type AppOptions } from '../../src/server/app.js';
import { parseServerConfig, type ServerConfigInput } from '../../src/server/config.js';
import { sharedModelsDir } from './fixtures.js';

export interface TestServer {
  app: PanopticApp;
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  base: string;
  token: string | undefined;
  /** Authorization header for the token (empty when none). */
  auth: Record<string, string>;
  close(): Promise<void>;
}

export async function startTestServer(input: ServerConfigInput = {}, opts: AppOptions = {}): Promise<TestServer> {
  const config = parseServerConfig(
    { ...input, modelDirs: [...(input.modelDirs ?? []), sharedModelsDir()], server: { host: '127.0.0.1', port: 0, ...input.server } },
    {},
  );
  const app = await PanopticApp.start(config, {
    awaitModel: true,
    // Fast, bounded retries: tests on loopback should not wait seconds between attempts.
    sourceOptions: { retry: { initialDelayMs: 200, maxDelayMs: 1000 }, killGraceMs: 1000, ...opts.sourceOptions },
    ...opts,
  });
  const token = config.server.token;
  return {
    app,
    base: app.url.replace(/\/$/, ''),
    token,
    auth: token ? { authorization: `Bearer ${token}` } : {},
    close: () => app.close(),
  };
}

/** Polls `fn` every `intervalMs` until it returns a truthy value or `timeoutMs` passes (then throws `what`). */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs: number, intervalMs = 100): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
