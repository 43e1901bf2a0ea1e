/**
 * The composition root of `serve`/`demo`: loads the model (in the background: /readyz turns 200 when
 * done), builds the shared inference path, the pipeline over real FrameSources, the metrics and the
 * HTTP server, then attaches the configured cameras. `close()` stops everything and resolves only
 * after every FFmpeg child has exited.
 */
import { ConfigError, errorMessage } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import type { FrameSourceOptions } from '../ingest/types.js';
import { parseSourceUrl } from '../ingest/url.js';
import { listBundles, modelDirs } from '../model/bundle.js';
import { loadModel } from '../model/loader.js';
import type { FamilyAdapter } from '../model/types.js';
import { WorkerAdapter } from '../model/worker/worker-adapter.js';
import { openFrameSource } from '../streams/camera-source.js';
import { Pipeline } from '../streams/pipeline.js';
import { createStages } from '../streams/stages.js';
import type { ServerConfig } from './config.js';
import type { ModelSummary, ServerContext } from './context.js';
import { PanopticServer } from './http.js';
import { createInference, type Inference } from './inference.js';
import { ServerMetrics } from './server-metrics.js';

const log = createLogger('server:app');

export interface AppOptions {
  /** Extra ingest options for every camera (e.g. faster retries in tests). */
  sourceOptions?: Partial<FrameSourceOptions>;
  /** Load the model before listening (default false: listen at once, /readyz says when ready). */
  awaitModel?: boolean;
  /** Intra-op threads of the model sessions (default: onnxruntime's choice). */
  intraOpNumThreads?: number;
  /** Directory of the built web viewer served at `/` (default `<package root>/web-viewer/dist`). */
  viewerDist?: string;
}

export class PanopticApp {
  private closing?: Promise<void>;

  private constructor(
    readonly config: ServerConfig,
    readonly pipeline: Pipeline,
    readonly server: PanopticServer,
    readonly metrics: ServerMetrics,
    readonly inference: Inference,
    /** The viewer URL (`http://host:port/`). */
    readonly url: string,
    readonly port: number,
  ) {}

  static async start(config: ServerConfig, opts: AppOptions = {}): Promise<PanopticApp> {
    const dirs = modelDirs(config.modelDirs);
    let adapter: FamilyAdapter | undefined;
    let modelError: string | undefined;
    const modelP = loadModel(config.model, {
      modelDirs: config.modelDirs,
      ...(config.executionProviders ? { executionProviders: config.executionProviders } : {}),
      ...(opts.intraOpNumThreads ? { intraOpNumThreads: opts.intraOpNumThreads } : {}),
      worker: config.modelWorker,
    }).then(
      (a) => {
        adapter = a;
        // A model worker that dies takes the model with it: /readyz says so (frames are dropped with its error).
        if (a instanceof WorkerAdapter) a.on('died', (err) => (modelError = `model worker died: ${err.message}`));
        log.info('model loaded', { model: config.model, family: a.family, providers: a.executionProviders });
        return a;
      },
      (err: unknown) => {
        modelError = errorMessage(err);
        log.error('model failed to load', { model: config.model, error: modelError });
        throw err;
      },
    );
    modelP.catch(() => undefined); // reported through readiness and per-frame errors
    if (opts.awaitModel) await modelP;

    const inference = createInference(modelP, config.scheduler);
    // Categories are needed by renderer/serialiser only once frames are processed, i.e. after load.
    const stages = createStages({
      infer: (frame) => inference.submit(frame),
      modelName: config.model,
      get categories() {
        return adapter?.categories ?? [];
      },
      mode: config.outputs.mode,
      alpha: config.outputs.alpha,
      jpegQuality: config.outputs.jpegQuality,
    });
    const pipeline = new Pipeline({ openSource: (spec) => openFrameSource(spec as never, opts.sourceOptions), stages });
    const metrics = new ServerMetrics(pipeline);
    inference.onBatch = (size) => metrics.batchSize.observe(size);
    const activeModel = (): ModelSummary => ({
      name: config.model,
      loaded: adapter !== undefined,
      ...(adapter ? { family: adapter.family, executionProviders: adapter.executionProviders } : {}),
      ...(modelError ? { error: modelError } : {}),
    });
    const ctx: ServerContext = {
      config,
      pipeline,
      metrics,
      activeModel,
      models: async () => {
        const active = activeModel();
        const out: ModelSummary[] = [
          { ...active, available: true, ...(adapter ? { categories: adapter.categories.map((c) => ({ id: c.id, name: c.name, isThing: c.isThing })) } : {}) },
        ];
        try {
          for (const b of listBundles(dirs)) if (b.name !== config.model) out.push({ name: b.name, family: b.manifest.family, loaded: false, available: true });
        } catch (err) {
          log.warn('cannot list model bundles', { error: errorMessage(err) });
        }
        return out;
      },
      readiness: () =>
        adapter && !modelError ? { ready: true } : { ready: false, reason: modelError ? (adapter ? modelError : `model failed to load: ${modelError}`) : `loading model ${config.model}` },
      validateCameraUrl: (url, field) => {
        parseSourceUrl(url, field);
      },
    };
    const server = new PanopticServer(ctx, { viewerDist: opts.viewerDist });
    let addr: { port: number; url: string };
    try {
      addr = await server.listen();
    } catch (err) {
      await Promise.all([server.close(), pipeline.close(), inference.close()]);
      throw new ConfigError('server.port', config.server.port, `cannot listen on ${config.server.host}:${config.server.port}: ${errorMessage(err)}`);
    }
    const app = new PanopticApp(config, pipeline, server, metrics, inference, addr.url, addr.port);
    for (const cam of config.cameras) {
      try {
        ctx.validateCameraUrl(cam.url, `cameras[${config.cameras.indexOf(cam)}].url`);
        pipeline.addCamera(cam);
      } catch (err) {
        await app.close();
        throw err;
      }
    }
    log.info('listening', { url: addr.url, cameras: config.cameras.length });
    return app;
  }

  /** Stops the server, every camera (awaiting FFmpeg exits) and the model. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.server.close();
      await this.pipeline.close();
      this.metrics.close();
      await this.inference.close();
    })();
    return this.closing;
  }
}
