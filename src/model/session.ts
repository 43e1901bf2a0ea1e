/**
 * The only module that imports onnxruntime-node. Creates sessions with an execution-provider
 * preference list and falls back (logging the reason) to the next provider, checks feeds against
 * the model's inputs (errors print names, dims and dtypes), and converts tensors to plain objects.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
// Namespace import: under mocha's tsx loader the CJS default export of onnxruntime-node is undefined.
import * as ort from 'onnxruntime-node';
import { ConfigError, PanopticError, errorMessage } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import type { ModelSession, Tensor, TensorMeta, TensorType } from './types.js';

const log = createLogger('model:session');

export type ExecutionProvider = 'tensorrt' | 'cuda' | 'webgpu' | 'cpu';
export const DEFAULT_EXECUTION_PROVIDERS: readonly ExecutionProvider[] = ['tensorrt', 'cuda', 'webgpu', 'cpu'];
const KNOWN_EPS = new Set<string>(['tensorrt', 'cuda', 'webgpu', 'cpu', 'dml', 'coreml']);
/** Providers that failed to initialise once in this process are not tried again (WebGPU probing is slow and noisy). */
const failedEps = new Set<string>();

/**
 * GPU providers are only tried when the machine shows a GPU device node (NVIDIA or DRI render node):
 * on a CPU-only machine WebGPU's adapter probe costs ~1 s and prints Vulkan driver warnings natively.
 * `PANOPTIC_STREAM_FORCE_GPU_PROBE=1` tries them anyway.
 */
function gpuDevicePresent(): boolean {
  if (process.env.PANOPTIC_STREAM_FORCE_GPU_PROBE === '1') return true;
  try {
    return existsSync('/dev/nvidia0') || existsSync('/dev/dxg') || readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
  } catch {
    return existsSync('/dev/nvidia0');
  }
}

export interface SessionOptions {
  /** Execution providers to try in order. Default `tensorrt,cuda,webgpu,cpu`; unavailable ones are skipped. */
  executionProviders?: readonly string[];
  /** Intra-op threads (default: ORT's choice, all cores). */
  intraOpNumThreads?: number;
  /** Inter-op threads (default 1). */
  interOpNumThreads?: number;
}

/** Providers this onnxruntime-node build can load (others are skipped without trying). */
export function availableExecutionProviders(): string[] {
  try {
    const backends = (ort as unknown as { listSupportedBackends?: () => { name: string; bundled: boolean }[] }).listSupportedBackends?.() ?? [];
    return backends.filter((b) => b.bundled).map((b) => b.name);
  } catch {
    return ['cpu'];
  }
}

export function onnxruntimeVersion(): string {
  return (ort.env as { versions?: { common?: string } }).versions?.common ?? 'unknown';
}

function metaOf(name: string, m: unknown): TensorMeta {
  const meta = m as { isTensor?: boolean; type?: string; shape?: readonly (number | string)[] } | undefined;
  return { name, type: meta?.type ?? 'unknown', dims: meta?.shape ?? [] };
}

export async function createSession(path: string, opts: SessionOptions = {}): Promise<ModelSession> {
  if (!existsSync(path)) throw new ConfigError('model.file', path, 'file does not exist');
  if (!statSync(path).isFile()) throw new ConfigError('model.file', path, 'is not a file');
  const wanted = opts.executionProviders ?? DEFAULT_EXECUTION_PROVIDERS;
  for (const ep of wanted) if (!KNOWN_EPS.has(ep)) throw new ConfigError('executionProviders', ep, `unknown execution provider; valid: ${[...KNOWN_EPS].join(', ')}`);
  const available = new Set(availableExecutionProviders());
  const gpu = gpuDevicePresent();
  const candidates = wanted.filter((ep) => ep === 'cpu' || (available.has(ep) && !failedEps.has(ep) && gpu));
  // Asked for explicitly → warn when skipped; the default preference list only logs at debug level.
  const skipLog = opts.executionProviders ? log.warn.bind(log) : log.debug.bind(log);
  for (const ep of wanted)
    if (!candidates.includes(ep))
      skipLog(`execution provider ${ep} ${failedEps.has(ep) ? 'failed earlier in this process' : !available.has(ep) ? 'not available in this onnxruntime-node build' : 'has no GPU device node here (/dev/nvidia0, /dev/dri/renderD*)'}; skipped`, { path, available: [...available].join(',') });
  if (!candidates.includes('cpu')) candidates.push('cpu');
  let lastErr: unknown;
  for (const ep of candidates) {
    try {
      const session = await ort.InferenceSession.create(path, {
        executionProviders: [ep],
        graphOptimizationLevel: 'all',
        ...(opts.intraOpNumThreads ? { intraOpNumThreads: opts.intraOpNumThreads } : {}),
        interOpNumThreads: opts.interOpNumThreads ?? 1,
      });
      return new OrtModelSession(path, session, ep);
    } catch (err) {
      lastErr = err;
      if (ep !== 'cpu') failedEps.add(ep);
      if (ep !== 'cpu') log.warn(`execution provider ${ep} failed, falling back`, { path, reason: errorMessage(err) });
    }
  }
  throw new PanopticError(`cannot load ONNX model: ${errorMessage(lastErr)}`, { code: 'ERR_MODEL_LOAD', fatal: true, context: { file: path }, cause: lastErr });
}

class OrtModelSession implements ModelSession {
  readonly inputs: TensorMeta[];
  readonly outputs: TensorMeta[];
  readonly fixedBatch: number | undefined;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly session: ort.InferenceSession,
    readonly executionProvider: string,
  ) {
    const s = session as unknown as { inputMetadata?: unknown[]; outputMetadata?: unknown[] };
    this.inputs = session.inputNames.map((n, i) => metaOf(n, s.inputMetadata?.[i]));
    this.outputs = session.outputNames.map((n, i) => metaOf(n, s.outputMetadata?.[i]));
    const b = this.inputs[0]?.dims[0];
    this.fixedBatch = typeof b === 'number' && b > 0 ? b : undefined;
  }

  async run(feeds: Record<string, Tensor>, outputNames?: readonly string[]): Promise<Record<string, Tensor>> {
    if (this.closed) throw new PanopticError('session is closed', { code: 'ERR_CLOSED', context: { file: this.path } });
    this.checkFeeds(feeds);
    if (outputNames) {
      for (const o of outputNames)
        if (!this.outputs.some((m) => m.name === o))
          throw new ConfigError('outputs', o, `model has no output of that name; outputs are ${this.outputs.map((m) => m.name).join(', ')}`, { file: this.path });
    }
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [k, t] of Object.entries(feeds)) ortFeeds[k] = new ort.Tensor(t.type as never, t.data as never, t.dims as number[]);
    let res: ort.InferenceSession.OnnxValueMapType;
    try {
      res = outputNames ? await this.session.run(ortFeeds, outputNames as string[]) : await this.session.run(ortFeeds);
    } catch (err) {
      throw new PanopticError(`inference failed: ${errorMessage(err)}`, { code: 'ERR_MODEL_RUN', context: { file: this.path }, cause: err });
    }
    const out: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(res)) {
      const t = v as ort.Tensor;
      out[k] = { type: t.type as TensorType, dims: t.dims, data: t.data as Tensor['data'] };
    }
    return out;
  }

  private checkFeeds(feeds: Record<string, Tensor>): void {
    const names = this.inputs.map((i) => i.name);
    for (const name of Object.keys(feeds))
      if (!names.includes(name)) throw new ConfigError('feeds', name, `model has no input of that name; inputs are ${describe(this.inputs)}`, { file: this.path });
    for (const meta of this.inputs) {
      const t = feeds[meta.name];
      if (!t) throw new ConfigError('feeds', meta.name, `missing input; inputs are ${describe(this.inputs)}`, { file: this.path });
      if (meta.type !== 'unknown' && meta.type !== t.type)
        throw new ConfigError(`feeds.${meta.name}.type`, t.type, `expected ${meta.type} [${meta.dims.join(',')}]`, { file: this.path });
      if (meta.dims.length && meta.dims.length !== t.dims.length)
        throw new ConfigError(`feeds.${meta.name}.dims`, `[${t.dims.join(',')}]`, `expected rank ${meta.dims.length}: [${meta.dims.join(',')}]`, { file: this.path });
      meta.dims.forEach((d, i) => {
        if (typeof d === 'number' && d > 0 && t.dims[i] !== d)
          throw new ConfigError(`feeds.${meta.name}.dims`, `[${t.dims.join(',')}]`, `expected [${meta.dims.join(',')}] (dim ${i} must be ${d})`, { file: this.path });
      });
      const expected = t.dims.reduce((a, b) => a * b, 1);
      if (t.data.length !== expected)
        throw new ConfigError(`feeds.${meta.name}.data`, t.data.length, `length does not match dims [${t.dims.join(',')}] (${expected} values)`, { file: this.path });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.session.release();
  }
}

function describe(metas: readonly TensorMeta[]): string {
  return metas.map((m) => `${m.name} ${m.type} [${m.dims.join(',')}]`).join('; ');
}
