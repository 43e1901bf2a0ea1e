/**
 * The `mask-classification` family (MaskFormer, Mask2Former, OneFormer, EoMT, DETR-style panoptic
 * heads): one `main` component with `classLogits` [1, Q, C+1] and `maskLogits` [1, Q, h, w]
 * outputs, plus an optional `depth` component. Logit index i means `params.classIds[i]` (default:
 * the manifest's classes in order); index C is "no object".
 */
import { z } from 'zod';
import { ConfigError, PanopticError } from '../../../core/errors.js';
import type { Category, DepthKind, PanopticFrame, RgbImage } from '../../../core/types.js';
import { DepthHead } from '../../depth/DepthHead.js';
import type { ComponentSpec, Manifest } from '../../manifest.js';
import { Preprocessor } from '../../preprocess.js';
import { buildSegments } from '../../segments.js';
import type { FamilyAdapter, ModelSession } from '../../types.js';
import { decodeMaskClassification, type ClassTable } from './decodeMaskClassification.js';

const unit = z.number().min(0).max(1);
export const MaskClassificationParamsSchema = z.strictObject({
  /** Category id of each class logit index (no-object excluded). Default: the manifest's classes in order. */
  classIds: z.array(z.number().int().min(0)).min(1).optional(),
  /** Minimum softmax score of a kept query. Default 0.8. */
  scoreThreshold: unit.default(0.8),
  /** Minimum won-area / own-mask-area ratio. Default 0.8. */
  overlapThreshold: unit.default(0.8),
  /** Mask probability threshold. Default 0.5. */
  maskThreshold: unit.default(0.5),
});
export type MaskClassificationParams = z.output<typeof MaskClassificationParamsSchema>;

export class MaskClassificationAdapter implements FamilyAdapter {
  readonly family = 'mask-classification';
  readonly maxBatch = 1;
  readonly executionProviders: Record<string, string>;
  private readonly pre: Preprocessor;
  private readonly spec: ComponentSpec;
  private readonly classes: ClassTable;
  private readonly depth: DepthHead | undefined;
  private readonly depthKind: DepthKind | undefined;
  private closed = false;

  constructor(
    manifest: Manifest,
    private readonly params: MaskClassificationParams,
    private readonly sessions: Record<string, ModelSession>,
    readonly categories: readonly Category[],
  ) {
    this.spec = manifest.components.main!;
    this.pre = new Preprocessor(this.spec.input);
    const byId = new Map(categories.map((c) => [c.id, c]));
    const ids = params.classIds ?? categories.map((c) => c.id);
    ids.forEach((id, i) => {
      if (!byId.has(id)) throw new ConfigError(`params.classIds[${i}]`, id, 'not a class id of the bundle');
    });
    this.classes = { categoryIds: Int32Array.from(ids), isThing: ids.map((id) => byId.get(id)!.isThing) };
    if (manifest.components.depth && sessions.depth) {
      if (!manifest.depth) throw new ConfigError('depth', undefined, 'a bundle with a depth component needs the "depth" section (kind, unit, scale, shift)');
      this.depth = new DepthHead(sessions.depth, manifest.components.depth, manifest.depth);
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

  private async processOne(img: RgbImage): Promise<PanopticFrame> {
    if (this.closed) throw new PanopticError('mask-classification model is closed', { code: 'ERR_CLOSED' });
    const t0 = performance.now();
    const cl = this.spec.outputs.classLogits!;
    const ml = this.spec.outputs.maskLogits!;
    const { tensor, transforms } = this.pre.run([img]);
    const [out, depth] = await Promise.all([this.sessions.main!.run({ [this.spec.input.name]: tensor }, [cl, ml]), this.depth?.infer(img)]);
    const t1 = performance.now();
    const c = out[cl]!;
    const m = out[ml]!;
    const q = c.dims[c.dims.length - 2]!;
    const numLogits = c.dims[c.dims.length - 1]!;
    const [mh, mw] = [m.dims[m.dims.length - 2]!, m.dims[m.dims.length - 1]!];
    if (numLogits - 1 > this.classes.categoryIds.length)
      throw new ConfigError('params.classIds', this.classes.categoryIds.length, `model predicts ${numLogits - 1} classes (+ no-object) but the bundle maps ${this.classes.categoryIds.length}`);
    const { ids, infos } = decodeMaskClassification(
      { classLogits: c.data as Float32Array, maskLogits: m.data as Float32Array, numQueries: q, numLogits, maskHeight: mh, maskWidth: mw },
      this.classes,
      transforms[0]!,
      img.width,
      img.height,
      this.params,
    );
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
