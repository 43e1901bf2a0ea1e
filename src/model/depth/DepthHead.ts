/**
 * The depth path shared by families with a separate depth model: preprocess per the component's
 * input spec → run → take the single-channel map ([1,H,W], [1,H,W,1] or [1,1,H,W]) → resample it
 * bilinearly to the frame (removing any letterbox) → normalise per the manifest's `depth` spec.
 */
import { ConfigError } from '../../core/errors.js';
import type { DepthKind, RgbImage } from '../../core/types.js';
import type { ComponentSpec } from '../manifest.js';
import { floatToSource, Preprocessor } from '../preprocess.js';
import type { ModelSession, Tensor } from '../types.js';
import { normalizeDepth, type DepthNormalisation } from './normalizeDepth.js';

/** Height and width of a single-channel depth tensor. */
export function depthMapSize(dims: readonly number[]): [h: number, w: number] {
  if (dims.length === 3 && dims[0] === 1) return [dims[1]!, dims[2]!];
  if (dims.length === 4 && dims[0] === 1 && dims[3] === 1) return [dims[1]!, dims[2]!];
  if (dims.length === 4 && dims[0] === 1 && dims[1] === 1) return [dims[2]!, dims[3]!];
  if (dims.length === 2) return [dims[0]!, dims[1]!];
  throw new ConfigError('depth.output.dims', `[${dims.join(',')}]`, 'expected a single-channel map: [1,H,W], [1,H,W,1], [1,1,H,W] or [H,W]');
}

export class DepthHead {
  private readonly pre: Preprocessor;
  readonly kind: DepthKind;

  constructor(
    private readonly session: ModelSession,
    private readonly component: ComponentSpec,
    private readonly norm: DepthNormalisation,
    /** Output meaning to read from `component.outputs`; default `depth`. */
    private readonly meaning = 'depth',
  ) {
    this.pre = new Preprocessor(component.input);
    this.kind = norm.kind;
    if (!component.outputs[meaning]) throw new ConfigError(`components.depth.outputs.${meaning}`, component.outputs, 'the depth component must name its depth output');
  }

  /** Preprocesses and starts the run; `finish` maps the result back to the image. */
  async infer(image: RgbImage): Promise<Float32Array> {
    const { tensor, transforms } = this.pre.run([image]);
    const name = this.component.outputs[this.meaning]!;
    const out = await this.session.run({ [this.component.input.name]: tensor }, [name]);
    return this.finish(out[name]!, transforms[0]!);
  }

  private finish(t: Tensor, transform: Parameters<typeof floatToSource>[3]): Float32Array {
    if (t.type !== 'float32') throw new ConfigError('depth.output.type', t.type, 'expected a float32 depth map');
    const [h, w] = depthMapSize(t.dims);
    const atFrame = floatToSource(t.data as Float32Array, w, h, transform);
    return normalizeDepth(atFrame, this.norm);
  }
}
