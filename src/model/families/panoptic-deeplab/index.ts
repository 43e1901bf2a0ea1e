/**
 * Family `panoptic-deeplab` (seed 001): heads `semantic` [N,C,h,w] (class i = manifest class i),
 * `center` [N,1,h,w] heatmap, `offsets` [N,2,h,w] (dy, dx) and optional `depth` [N,1,h,w]. Decoded
 * at head resolution by {@link decodePanopticDeepLab}; offsets are converted to head pixels first
 * (`offsetUnit`), the ids mapped back to the frame and every segment's embedding is γ(centroid).
 * Params: those of {@link PanopticDeepLabParams} (any subset) plus `offsetUnit`.
 */
import { z } from 'zod';
import { decodePanopticDeepLab, DEFAULT_PANOPTIC_DEEPLAB_PARAMS, type PanopticDeepLabParams } from '../../decoders/panoptic-deeplab.js';
import { registerFamily } from '../../registry.js';
import { decoderClasses, HeadsAdapter, paramsSchemaFromDefaults } from '../heads-adapter.js';

export const PANOPTIC_DEEPLAB_FAMILY = 'panoptic-deeplab';

export interface PanopticDeepLabFamilyParams extends PanopticDeepLabParams {
  /**
   * Unit of the `offsets` output: `input` = model-input pixels (detectron2's exported convention, offsets
   * multiplied by the output stride), `head` = pixels of the head itself. Default `input`. Ignored when
   * `offsetScale` is given.
   */
  offsetUnit: 'input' | 'head';
}

registerFamily<PanopticDeepLabFamilyParams>({
  family: PANOPTIC_DEEPLAB_FAMILY,
  paramsSchema: paramsSchemaFromDefaults({ ...DEFAULT_PANOPTIC_DEEPLAB_PARAMS, offsetUnit: 'input' as const }, {
    offsetScale: z.tuple([z.number(), z.number()]),
    offsetUnit: z.enum(['input', 'head']),
    scoreMode: z.enum(['detectron2', 'deeplab2']),
  }) as z.ZodType<PanopticDeepLabFamilyParams>,
  paramNames: [...Object.keys(DEFAULT_PANOPTIC_DEEPLAB_PARAMS), 'offsetScale', 'offsetUnit'],
  requiredComponents: ['main'],
  optionalComponents: [],
  requiredOutputs: { main: ['semantic', 'center', 'offsets'] },
  create(ctx) {
    const classes = decoderClasses(ctx.categories);
    const { offsetUnit, ...decoderParams } = ctx.params;
    const input = ctx.manifest.components.main!.input;
    return new HeadsAdapter({
      family: PANOPTIC_DEEPLAB_FAMILY,
      manifest: ctx.manifest,
      session: ctx.sessions.main!,
      categories: ctx.categories,
      decode: (h) => {
        const { width, height } = h.semantic!;
        // Offsets in model-input pixels → head pixels: scale by head size / input size per axis.
        const offsetScale: [number, number] = decoderParams.offsetScale ?? (offsetUnit === 'input' ? [height / input.height, width / input.width] : [1, 1]);
        const params: PanopticDeepLabParams = { ...decoderParams, offsetScale };
        return decodePanopticDeepLab({ semantic: h.semantic!.data, center: h.center!.data, offsets: h.offsets!.data, width, height }, classes, params);
      },
    });
  },
});
