/** Registers the `mask-classification` family (Mask2Former-style class + mask logits). */
import { registerFamily } from '../../registry.js';
import { MaskClassificationAdapter, MaskClassificationParamsSchema, type MaskClassificationParams } from './MaskClassificationAdapter.js';

registerFamily<MaskClassificationParams>({
  family: 'mask-classification',
  paramsSchema: MaskClassificationParamsSchema,
  requiredComponents: ['main'],
  optionalComponents: ['depth'],
  requiredOutputs: { main: ['classLogits', 'maskLogits'], depth: ['depth'] },
  create: ({ manifest, params, sessions, categories }) => new MaskClassificationAdapter(manifest, params, sessions, categories),
});
