/**
 * Family `generalist-pe` (seed 000): one network with heads `semantic` [N,C,h,w] (class i = manifest
 * class i), `instance` [N,4L,h,w] (predicted γ(u)⊕γ(v) of each pixel's instance centroid) and optional
 * `depth` [N,1,h,w]. Decoded at head resolution by {@link decodeGeneralistPe}, mapped back to the frame.
 * Params: those of {@link GeneralistPeParams} (any subset; defaults {@link DEFAULT_GENERALIST_PE_PARAMS}).
 */
import { decodeGeneralistPe, DEFAULT_GENERALIST_PE_PARAMS, type GeneralistPeParams } from '../../decoders/generalist-pe.js';
import { registerFamily } from '../../registry.js';
import { decoderClasses, HeadsAdapter, paramsSchemaFromDefaults } from '../heads-adapter.js';

export const GENERALIST_PE_FAMILY = 'generalist-pe';

registerFamily<GeneralistPeParams>({
  family: GENERALIST_PE_FAMILY,
  paramsSchema: paramsSchemaFromDefaults(DEFAULT_GENERALIST_PE_PARAMS),
  paramNames: Object.keys(DEFAULT_GENERALIST_PE_PARAMS),
  requiredComponents: ['main'],
  optionalComponents: [],
  requiredOutputs: { main: ['semantic', 'instance'] },
  create(ctx) {
    const classes = decoderClasses(ctx.categories);
    return new HeadsAdapter({
      family: GENERALIST_PE_FAMILY,
      manifest: ctx.manifest,
      session: ctx.sessions.main!,
      categories: ctx.categories,
      keepDecoderEmbedding: true,
      decode: (h) =>
        decodeGeneralistPe(
          { semantic: h.semantic!.data, instance: h.instance!.data, ...(h.depth ? { depth: h.depth.data } : {}), width: h.semantic!.width, height: h.semantic!.height },
          classes,
          ctx.params,
        ),
    });
  },
});
