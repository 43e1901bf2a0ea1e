/**
 * The `composite` family: an instance-segmentation model in YOLO-seg format (things), an optional
 * semantic model (stuff) and an optional depth model, fused into one panoptic frame. Components
 * run concurrently or in sequence (`params.schedule`); everything after the runs is pure
 * (decodeYoloSeg → fusePanoptic → buildSegments).
 */
import { ConfigError, PanopticError } from '../../../core/errors.js';
import type { Category, DepthKind, PanopticFrame, RgbImage } from '../../../core/types.js';
import { DepthHead } from '../../depth/DepthHead.js';
import type { ComponentSpec, Manifest } from '../../manifest.js';
import { labelsToSource, Preprocessor, type Transform } from '../../preprocess.js';
import { buildSegments } from '../../segments.js';
import type { FamilyAdapter, ModelSession, Tensor } from '../../types.js';
import type { CompositeParams } from './compositeParams.js';
import { decodeYoloSeg } from './decodeYoloSeg.js';
import { fusePanoptic, type FusionInstance } from './fusePanoptic.js';

interface Stage {
  session: ModelSession;
  spec: ComponentSpec;
  pre: Preprocessor;
}

/** Label map of a semantic output: int labels [1,H,W] or float logits [1,C,H,W]/[1,H,W,C] (argmax). */
function semanticLabels(t: Tensor, meaning: 'labels' | 'logits'): { labels: Int32Array | BigInt64Array; w: number; h: number } {
  if (meaning === 'labels') {
    // [1,H,W], [H,W], [1,1,H,W] or [1,H,W,1].
    const d = t.dims;
    const [h, w] = d.length === 4 && d[3] === 1 ? [d[1]!, d[2]!] : [d[d.length - 2]!, d[d.length - 1]!];
    if (t.data instanceof BigInt64Array || t.data instanceof Int32Array) return { labels: t.data, w, h };
    throw new ConfigError('semantic.labels.type', t.type, 'expected int64 or int32 labels');
  }
  if (t.type !== 'float32' || t.dims.length !== 4) throw new ConfigError('semantic.logits', `${t.type} [${t.dims.join(',')}]`, 'expected float32 [1,C,H,W] logits');
  const [, c, h, w] = t.dims as [number, number, number, number];
  const data = t.data as Float32Array;
  const plane = h * w;
  const labels = new Int32Array(plane);
  const best = data.slice(0, plane);
  for (let k = 1; k < c; k++) {
    const base = k * plane;
    for (let i = 0; i < plane; i++) {
      const v = data[base + i]!;
      if (v > best[i]!) {
        best[i] = v;
        labels[i] = k;
      }
    }
  }
  return { labels, w, h };
}

export class CompositeAdapter implements FamilyAdapter {
  readonly family = 'composite';
  readonly maxBatch = 1;
  readonly executionProviders: Record<string, string>;
  private readonly instance: Stage;
  private readonly semantic: Stage | undefined;
  private readonly depth: DepthHead | undefined;
  private readonly depthKind: DepthKind | undefined;
  private readonly classIds: Int32Array;
  private readonly stuffLut: Int32Array | undefined;
  private readonly semanticMeaning: 'labels' | 'logits';
  private closed = false;

  constructor(
    manifest: Manifest,
    private readonly params: CompositeParams,
    private readonly sessions: Record<string, ModelSession>,
    readonly categories: readonly Category[],
  ) {
    const known = new Map(categories.map((c) => [c.id, c]));
    params.instance.classIds.forEach((id, i) => {
      if (!known.get(id)?.isThing) throw new ConfigError(`params.instance.classIds[${i}]`, id, 'not a thing class of the bundle\'s classes');
    });
    this.classIds = Int32Array.from(params.instance.classIds);
    const stage = (role: string): Stage | undefined => {
      const spec = manifest.components[role];
      const session = sessions[role];
      return spec && session ? { session, spec, pre: new Preprocessor(spec.input) } : undefined;
    };
    this.instance = stage('instance')!;
    this.semantic = stage('semantic');
    if (this.semantic && !params.semantic) throw new ConfigError('params.semantic', undefined, 'a bundle with a semantic component needs params.semantic.labelIds');
    if (!this.semantic && params.semantic) throw new ConfigError('params.semantic', params.semantic, 'given but the bundle has no semantic component');
    this.semanticMeaning = this.semantic?.spec.outputs.labels ? 'labels' : 'logits';
    if (this.semantic && !this.semantic.spec.outputs[this.semanticMeaning])
      throw new ConfigError('components.semantic.outputs', this.semantic.spec.outputs, 'needs a "labels" or a "logits" output');
    if (params.semantic) {
      this.stuffLut = Int32Array.from(params.semantic.labelIds, (id) => id ?? -1);
      params.semantic.labelIds.forEach((id, i) => {
        if (id !== null && known.get(id)?.isThing !== false) throw new ConfigError(`params.semantic.labelIds[${i}]`, id, 'not a stuff class of the bundle\'s classes');
      });
    }
    const depthSpec = manifest.components.depth;
    if (depthSpec && sessions.depth) {
      if (!manifest.depth) throw new ConfigError('depth', undefined, 'a bundle with a depth component needs the "depth" section (kind, unit, scale, shift)');
      this.depth = new DepthHead(sessions.depth, depthSpec, manifest.depth);
      this.depthKind = manifest.depth.kind;
    }
    this.executionProviders = Object.fromEntries(Object.entries(sessions).map(([k, s]) => [k, s.executionProvider]));
  }

  async process(images: readonly RgbImage[], signal?: AbortSignal): Promise<PanopticFrame[]> {
    const out: PanopticFrame[] = [];
    for (const img of images) {
      signal?.throwIfAborted();
      out.push(await this.processOne(img));
    }
    return out;
  }

  private async runStage(stage: Stage, img: RgbImage, outputs: string[]): Promise<{ out: Record<string, Tensor>; t: Transform; ms: number }> {
    const t0 = performance.now();
    const { tensor, transforms } = stage.pre.run([img]);
    const out = await stage.session.run({ [stage.spec.input.name]: tensor }, outputs);
    return { out, t: transforms[0]!, ms: performance.now() - t0 };
  }

  private async processOne(img: RgbImage): Promise<PanopticFrame> {
    if (this.closed) throw new PanopticError('composite model is closed', { code: 'ERR_CLOSED' });
    const t0 = performance.now();
    const io = this.instance.spec.outputs;
    const boxesName = io.boxes!;
    const protosName = io.protos!;
    const jobs: (() => Promise<unknown>)[] = [() => this.runStage(this.instance, img, [boxesName, protosName])];
    if (this.semantic) jobs.push(() => this.runStage(this.semantic!, img, [this.semantic!.spec.outputs[this.semanticMeaning]!]));
    if (this.depth) jobs.push(() => this.depth!.infer(img));
    let results: unknown[];
    if (this.params.schedule === 'parallel') results = await Promise.all(jobs.map((j) => j()));
    else {
      results = [];
      for (const j of jobs) results.push(await j());
    }
    const t1 = performance.now();
    const inst = results[0] as Awaited<ReturnType<CompositeAdapter['runStage']>>;
    const o0 = inst.out[boxesName]!;
    const o1 = inst.out[protosName]!;
    const p = this.params.instance;
    const dets = decodeYoloSeg({ output0: o0.data as Float32Array, dims0: o0.dims, protos: o1.data as Float32Array, protoDims: o1.dims }, inst.t, img.width, img.height, p);
    const instances: FusionInstance[] = [];
    for (const d of dets) {
      const categoryId = this.classIds[d.classIndex];
      if (categoryId !== undefined) instances.push({ categoryId, score: d.score, mask: d.mask });
    }
    let stuff: Int32Array | undefined;
    if (this.semantic) {
      const sem = results[1] as Awaited<ReturnType<CompositeAdapter['runStage']>>;
      const { labels, w, h } = semanticLabels(sem.out[this.semantic.spec.outputs[this.semanticMeaning]!]!, this.semanticMeaning);
      stuff = labelsToSource(labels, w, h, sem.t);
      const lut = this.stuffLut!;
      for (let i = 0; i < stuff.length; i++) {
        const l = stuff[i]!;
        stuff[i] = l >= 0 && l < lut.length ? lut[l]! : -1;
      }
    }
    const depth = this.depth ? (results[results.length - 1] as Float32Array) : undefined;
    const { ids, infos } = fusePanoptic(img.width, img.height, instances, stuff, this.params.fusion);
    const segments = buildSegments(ids, img.width, img.height, infos, depth ? { depth } : {});
    const t2 = performance.now();
    return {
      width: img.width,
      height: img.height,
      ids,
      segments,
      ...(depth ? { depth, depthKind: this.depthKind! } : {}),
      timings: { runMs: t1 - t0, decodeMs: t2 - t1, totalMs: t2 - t0 },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(Object.values(this.sessions).map((s) => s.close()));
  }
}
