/** Registers the `composite` family (instance + semantic + depth models fused into panoptic). */
import { registerFamily } from '../../registry.js';
import { CompositeAdapter } from './CompositeAdapter.js';
import { CompositeParamsSchema, type CompositeParams } from './compositeParams.js';

registerFamily<CompositeParams>({
  family: 'composite',
  paramsSchema: CompositeParamsSchema,
  requiredComponents: ['instance'],
  optionalComponents: ['semantic', 'depth'],
  requiredOutputs: { instance: ['boxes', 'protos'], depth: ['depth'] },
  create: ({ manifest, params, sessions, categories }) => new CompositeAdapter(manifest, params, sessions, categories),
});
