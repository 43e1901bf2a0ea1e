/** `params` of a `composite` bundle (validated by the registry; errors name `params.<field>`). */
import { z } from 'zod';

const unit = z.number().min(0).max(1);

export const CompositeParamsSchema = z.strictObject({
  instance: z.strictObject({
    /** Unified category id of each instance-model class index (e.g. 80 COCO panoptic ids). Required. */
    classIds: z.array(z.number().int().min(0)).min(1),
    /** Minimum class score. Default 0.25. */
    confThreshold: unit.default(0.25),
    /** Class-aware NMS IoU threshold. Default 0.7. */
    iouThreshold: unit.default(0.7),
    /** Detections kept after NMS. Default 100. */
    maxDetections: z.number().int().min(1).max(1000).default(100),
    /** Mask probability threshold. Default 0.5. */
    maskThreshold: unit.default(0.5),
  }),
  /** Required when the bundle has a `semantic` component. */
  semantic: z
    .strictObject({
      /**
       * Unified stuff category id of each semantic label (index = label value); `null` = void, used for
       * the semantic model's own "thing" classes, which are left to the instance model.
       */
      labelIds: z.array(z.number().int().min(0).nullable()).min(1),
    })
    .optional(),
  fusion: z
    .strictObject({
      /** Instances below this score are not painted. Default 0. */
      minInstanceScore: unit.default(0),
      /** Share of an instance's mask that must stay free of better instances. Default 0.5. */
      minKeptRatio: unit.default(0.5),
      /** Smallest stuff segment, as a fraction of the frame area. Default 0.001. */
      minStuffAreaFraction: unit.default(0.001),
    })
    .default({ minInstanceScore: 0, minKeptRatio: 0.5, minStuffAreaFraction: 0.001 }),
  /** `sequential` runs the component models one after another, `parallel` concurrently (measured: no gain on 2 busy cores; see docs/default-model.md). Default sequential. */
  schedule: z.enum(['parallel', 'sequential']).default('sequential'),
});

export type CompositeParams = z.output<typeof CompositeParamsSchema>;
