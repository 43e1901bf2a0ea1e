/**
 * Loads a model by bundle name (or bundle directory): find the bundle → validate the manifest
 * against its family (roles, outputs, params) → locate and verify every ONNX file (SHA-256) →
 * create one session per component (execution-provider preference, threads) → check the manifest's
 * input/output names and sizes against the ONNX graph → warm up → build the family adapter.
 * Any failure closes the sessions already opened.
 */
import { ConfigError, PanopticError, errorMessage } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { findBundle, modelDirs, verifyBundleFiles, type Bundle } from './bundle.js';
import { resolveCategories, type ComponentSpec } from './manifest.js';
import { validateForFamily } from './registry.js';
import { createSession } from './session.js';
import type { FamilyAdapter, ModelSession, Tensor } from './types.js';
import { loadWorkerModel } from './worker/worker-adapter.js';
import './families/index.js';

const log = createLogger('model:loader');

export interface LoadModelOptions {
  /** Extra model directories searched first (from the config file). Default none. */
  modelDirs?: readonly string[];
  /** Execution providers in preference order; default the manifest's `runtime.executionProviders`, else `tensorrt,cuda,webgpu,cpu`. */
  executionProviders?: readonly string[];
  /** Intra-op threads per session. Default: onnxruntime's choice (all cores). */
  intraOpNumThreads?: number;
  /** Run each session once on a zero input before returning (first-run allocations off the hot path). Default true. */
  warmup?: boolean;
  /**
   * Run the model in a worker thread (see worker/worker-adapter.ts): preprocessing, inference and decode
   * leave the caller's event loop. Default false (in this thread).
   */
  worker?: boolean;
}

/** Loads and verifies a bundle's sessions and builds its family adapter. */
export async function loadModel(nameOrDir: string, opts: LoadModelOptions = {}): Promise<FamilyAdapter> {
  if (opts.worker) {
    const { worker: _inWorker, ...rest } = opts;
    return loadWorkerModel(nameOrDir, rest);
  }
  const dirs = modelDirs(opts.modelDirs);
  const bundle = findBundle(nameOrDir, dirs);
  return loadBundleModel(bundle, dirs, opts);
}

export async function loadBundleModel(bundle: Bundle, dirs: readonly string[], opts: LoadModelOptions = {}): Promise<FamilyAdapter> {
  const { manifest, manifestPath } = bundle;
  const { def, params } = validateForFamily(manifest, manifestPath);
  const categories = resolveCategories(manifest, bundle.dir, manifestPath);
  const paths = await verifyBundleFiles(bundle, dirs);
  const sessions: Record<string, ModelSession> = {};
  const started = performance.now();
  try {
    for (const [role, comp] of Object.entries(manifest.components)) {
      const path = paths[role]!;
      try {
        sessions[role] = await createSession(path, {
          executionProviders: opts.executionProviders ?? manifest.runtime.executionProviders,
          ...(opts.intraOpNumThreads ? { intraOpNumThreads: opts.intraOpNumThreads } : {}),
        });
      } catch (err) {
        if (err instanceof ConfigError) throw err;
        throw new PanopticError(`component ${role}: ${errorMessage(err)} (is ${comp.file.name} a valid ONNX file?)`, {
          code: 'ERR_MODEL_LOAD',
          fatal: true,
          context: { model: bundle.name, file: path },
          cause: err,
        });
      }
      checkComponent(role, comp, sessions[role], manifestPath);
    }
    if (opts.warmup ?? true) for (const [role, s] of Object.entries(sessions)) await warmup(s, manifest.components[role]!);
    const adapter = await def.create({ manifest, params, sessions, categories, bundleDir: bundle.dir });
    log.info('model loaded', {
      model: bundle.name,
      family: manifest.family,
      ms: Math.round(performance.now() - started),
      providers: Object.entries(sessions).map(([r, s]) => `${r}:${s.executionProvider}`).join(','),
    });
    return adapter;
  } catch (err) {
    await Promise.allSettled(Object.values(sessions).map((s) => s.close()));
    throw err;
  }
}

/** Checks the manifest's input/outputs of one component against the loaded graph. */
export function checkComponent(role: string, comp: ComponentSpec, s: ModelSession, file?: string): void {
  const ctx = { file: file ?? s.path };
  const input = s.inputs.find((i) => i.name === comp.input.name);
  if (!input)
    throw new ConfigError(`components.${role}.input.name`, comp.input.name, `model has no input of that name; inputs are ${s.inputs.map((i) => `${i.name} [${i.dims.join(',')}]`).join('; ')}`, ctx);
  if (input.dims.length === 4) {
    const [h, w, c] = comp.input.layout === 'NCHW' ? [input.dims[2], input.dims[3], input.dims[1]] : [input.dims[1], input.dims[2], input.dims[3]];
    const fixed = (d: number | string | undefined): d is number => typeof d === 'number' && d > 0;
    if (fixed(c) && c !== 3)
      throw new ConfigError(`components.${role}.input.layout`, comp.input.layout, `model input ${input.name} is [${input.dims.join(',')}]: channel dim ${c} is not 3 under this layout`, ctx);
    if (fixed(w) && w !== comp.input.width)
      throw new ConfigError(`components.${role}.input.width`, comp.input.width, `model input ${input.name} is [${input.dims.join(',')}] (width ${w})`, ctx);
    if (fixed(h) && h !== comp.input.height)
      throw new ConfigError(`components.${role}.input.height`, comp.input.height, `model input ${input.name} is [${input.dims.join(',')}] (height ${h})`, ctx);
  }
  if (input.type !== 'unknown' && input.type !== comp.input.dtype)
    throw new ConfigError(`components.${role}.input.dtype`, comp.input.dtype, `model input ${input.name} is ${input.type}`, ctx);
  for (const [meaning, name] of Object.entries(comp.outputs))
    if (!s.outputs.some((o) => o.name === name))
      throw new ConfigError(`components.${role}.outputs.${meaning}`, name, `model has no output of that name; outputs are ${s.outputs.map((o) => `${o.name} [${o.dims.join(',')}]`).join('; ')}`, ctx);
}

/** One run on a zero image of the component's input size (batch 1 or the fixed batch). */
async function warmup(s: ModelSession, comp: ComponentSpec): Promise<void> {
  if (s.inputs.length !== 1) {
    log.debug('warm-up skipped: model has several inputs', { file: s.path });
    return;
  }
  const n = s.fixedBatch ?? 1;
  const { width: w, height: h, layout, dtype } = comp.input;
  const dims = layout === 'NCHW' ? [n, 3, h, w] : [n, h, w, 3];
  const size = n * 3 * w * h;
  const tensor: Tensor = { type: dtype, dims, data: dtype === 'uint8' ? new Uint8Array(size) : new Float32Array(size) };
  const outputs = Object.values(comp.outputs);
  const t0 = performance.now();
  await s.run({ [comp.input.name]: tensor }, outputs.length ? outputs : undefined);
  log.debug('warm-up done', { file: s.path, ms: Math.round(performance.now() - t0) });
}
