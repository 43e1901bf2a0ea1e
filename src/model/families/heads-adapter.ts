/**
 * The shared path of single-network families whose outputs are dense heads ([N,C,h,w] maps covering
 * the model input): batch → preprocess → one session run → per image: slice heads → pure decoder at
 * head resolution → ids back to the frame (nearest, letterbox removed) → depth back to the frame
 * (bilinear, then the manifest's scale/shift) → segment statistics at frame resolution.
 * Calls of `process` are serialised (the preprocessor's buffer is reused between runs).
 */
import { z } from 'zod';
import { ConfigError, PanopticError } from '../../core/errors.js';
import { abortReason } from '../../core/abort.js';
import type { Category, PanopticFrame, RgbImage } from '../../core/types.js';
import type { DecodedPanoptic, DecoderClasses } from '../decoders/types.js';
import type { Manifest, ComponentSpec } from '../manifest.js';
import { floatToSource, labelsToSource, Preprocessor, type Transform } from '../preprocess.js';
import { buildSegments, type SegmentInfo } from '../segments.js';
import type { FamilyAdapter, ModelSession, Tensor } from '../types.js';

/** One image's head: planar [channels, height, width] float32 at head resolution. */
export interface Head {
  readonly data: Float32Array;
  readonly channels: number;
  readonly width: number;
  readonly height: number;
}

export interface HeadsAdapterOptions {
  readonly family: string;
  readonly manifest: Manifest;
  readonly session: ModelSession;
  readonly categories: readonly Category[];
  /** Component role of the session. Default `main`. */
  readonly role?: string;
  /** Decodes one image's heads (by output meaning) at head resolution. */
  decode(heads: Record<string, Head>, transform: Transform): DecodedPanoptic;
  /**
   * Keep the decoder's per-segment embedding (generalist-pe's mean predicted PE). It is kept only when
   * the model input has no padding (normalised coordinates of model input and frame agree); otherwise,
   * and for other families, the embedding is γ(centroid) of the mask at frame resolution.
   */
  readonly keepDecoderEmbedding?: boolean;
}

/** A strict zod schema accepting any subset of `defaults`' keys with the same value types; output merged over defaults. */
export function paramsSchemaFromDefaults<P extends object>(defaults: P, extra: Record<string, z.ZodType> = {}): z.ZodType<P & Record<string, unknown>> {
  const shape: Record<string, z.ZodType> = {};
  for (const [k, v] of Object.entries(defaults)) {
    shape[k] = (typeof v === 'number' ? z.number() : typeof v === 'boolean' ? z.boolean() : typeof v === 'string' ? z.string() : Array.isArray(v) ? z.array(z.number()) : z.unknown()).optional();
  }
  for (const [k, v] of Object.entries(extra)) shape[k] = v.optional();
  return z.strictObject(shape).transform((p) => ({ ...defaults, ...Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) })) as unknown as z.ZodType<P & Record<string, unknown>>;
}

/** Semantic channel i ↔ manifest class i. */
export function decoderClasses(categories: readonly Category[]): DecoderClasses {
  return { categoryIds: categories.map((c) => c.id), isThing: categories.map((c) => c.isThing) };
}

export class HeadsAdapter implements FamilyAdapter {
  readonly family: string;
  readonly categories: readonly Category[];
  readonly maxBatch: number;
  readonly executionProviders: Record<string, string>;
  private readonly pre: Preprocessor;
  private readonly comp: ComponentSpec;
  private readonly role: string;
  private readonly outputNames: string[];
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly o: HeadsAdapterOptions) {
    this.family = o.family;
    this.categories = o.categories;
    this.role = o.role ?? 'main';
    this.comp = o.manifest.components[this.role]!;
    this.pre = new Preprocessor(this.comp.input);
    this.maxBatch = o.session.fixedBatch ?? o.manifest.runtime.maxBatch;
    this.executionProviders = { [this.role]: o.session.executionProvider };
    this.outputNames = Object.values(this.comp.outputs);
  }

  process(images: readonly RgbImage[], signal?: AbortSignal): Promise<PanopticFrame[]> {
    if (this.closed) return Promise.reject(new PanopticError(`${this.family} adapter is closed`, { code: 'ERR_CLOSED' }));
    const run = this.chain.then(() => this.processNow(images, signal));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async processNow(images: readonly RgbImage[], signal?: AbortSignal): Promise<PanopticFrame[]> {
    const out: PanopticFrame[] = [];
    for (let i = 0; i < images.length; i += this.maxBatch) {
      if (signal?.aborted) throw abortReason(signal);
      out.push(...(await this.runBatch(images.slice(i, i + this.maxBatch))));
    }
    return out;
  }

  private async runBatch(chunk: readonly RgbImage[]): Promise<PanopticFrame[]> {
    const fixed = this.o.session.fixedBatch;
    // A fixed batch > 1 is filled up by repeating the last image; the extra results are ignored.
    const feedImages = fixed && fixed > chunk.length ? [...chunk, ...Array<RgbImage>(fixed - chunk.length).fill(chunk[chunk.length - 1]!)] : chunk;
    const t0 = performance.now();
    const { tensor, transforms } = this.pre.run(feedImages);
    const t1 = performance.now();
    const res = await this.o.session.run({ [this.comp.input.name]: tensor }, this.outputNames);
    const t2 = performance.now();
    const preprocessMs = t1 - t0;
    const runMs = t2 - t1;
    return chunk.map((img, i) => {
      const d0 = performance.now();
      const heads: Record<string, Head> = {};
      for (const [meaning, name] of Object.entries(this.comp.outputs)) heads[meaning] = sliceHead(res[name]!, i, feedImages.length, `components.${this.role}.outputs.${meaning}`);
      const frame = this.toFrame(img, this.o.decode(heads, transforms[i]!), heads.depth, transforms[i]!);
      frame.timings.preprocessMs = preprocessMs;
      frame.timings.runMs = runMs;
      frame.timings.decodeMs = performance.now() - d0;
      return frame;
    });
  }

  private toFrame(img: RgbImage, dec: DecodedPanoptic, depthHead: Head | undefined, t: Transform): PanopticFrame {
    const { width: W, height: H } = img;
    const ids = labelsToSource(dec.ids, dec.width, dec.height, t);
    let depth: Float32Array | undefined;
    const spec = this.o.manifest.depth;
    // The raw `depth` head (decoders may or may not pass it through), at its own resolution.
    if (depthHead) {
      depth = floatToSource(depthHead.data, depthHead.width, depthHead.height, t);
      const k = spec?.scale ?? 1;
      const s = spec?.shift ?? 0;
      if (k !== 1 || s !== 0) for (let i = 0; i < depth.length; i++) depth[i] = depth[i]! * k + s;
    }
    const keepEmb = this.o.keepDecoderEmbedding && t.padX === 0 && t.padY === 0 && t.contentWidth === t.dstWidth && t.contentHeight === t.dstHeight;
    const infos: SegmentInfo[] = dec.segments.map((s) => ({ id: s.id, categoryId: s.categoryId, isThing: s.isThing, score: s.score, ...(keepEmb ? { embedding: s.embedding } : {}) }));
    const segments = buildSegments(ids, W, H, infos, depth ? { depth } : {});
    return { width: W, height: H, ids, segments, ...(depth ? { depth, depthKind: spec?.kind ?? 'relative' } : {}), timings: {} };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain;
    await this.o.session.close();
  }
}

/** Image `i` of a batched output: [N,C,h,w] or [N,h,w] (C = 1), float32. */
export function sliceHead(t: Tensor, i: number, n: number, field: string): Head {
  if (t.type !== 'float32' || !(t.data instanceof Float32Array)) throw new ConfigError(field, t.type, 'expected a float32 output');
  const d = t.dims;
  if (d[0] !== n || (d.length !== 4 && d.length !== 3))
    throw new ConfigError(field, `[${d.join(',')}]`, `expected [${n},C,h,w] or [${n},h,w] (batch ${n})`);
  const [channels, height, width] = d.length === 4 ? [d[1]!, d[2]!, d[3]!] : [1, d[1]!, d[2]!];
  const size = channels * height * width;
  return { data: t.data.subarray(i * size, (i + 1) * size), channels, width, height };
}
