/**
 * Contracts of the model stage. The ONNX runtime is touched only by `session.ts`; family adapters
 * (preprocess → run → decode) work on {@link Tensor}s and pure decoders work on typed arrays.
 */
import type { Category, PanopticFrame, RgbImage } from '../core/types.js';

export type TensorType = 'float32' | 'float16' | 'int64' | 'int32' | 'uint8' | 'int8' | 'bool';
export type TensorData = Float32Array | Uint16Array | BigInt64Array | Int32Array | Uint8Array | Int8Array;

/** A plain tensor (no ORT object leaks out of session.ts). */
export interface Tensor {
  readonly type: TensorType;
  readonly dims: readonly number[];
  readonly data: TensorData;
}

export interface TensorMeta {
  readonly name: string;
  /** ORT type name, e.g. `float32`; `unknown` when the runtime gives no metadata. */
  readonly type: string;
  /** Dimensions; a string or -1 marks a symbolic/dynamic dimension. */
  readonly dims: readonly (number | string)[];
}

/** A loaded ONNX model. */
export interface ModelSession {
  readonly path: string;
  readonly inputs: readonly TensorMeta[];
  readonly outputs: readonly TensorMeta[];
  /** The execution provider actually used (e.g. 'cpu', 'cuda'). */
  readonly executionProvider: string;
  /** Fixed batch size of the first input, or undefined when the batch dimension is dynamic. */
  readonly fixedBatch: number | undefined;
  /** Runs one inference. Feeds are checked against input names/dims/dtypes first. */
  run(feeds: Record<string, Tensor>, outputNames?: readonly string[]): Promise<Record<string, Tensor>>;
  close(): Promise<void>;
}

/** One model family's full path from RGB images to panoptic frames. */
export interface FamilyAdapter {
  readonly family: string;
  readonly categories: readonly Category[];
  /** Largest batch the adapter accepts in one `process` call (1 for fixed-batch-1 models). */
  readonly maxBatch: number;
  /** Execution providers in use, by component. */
  readonly executionProviders: Record<string, string>;
  /** Processes a batch of images (may be from different cameras); one PanopticFrame per image, same order. */
  process(images: readonly RgbImage[], signal?: AbortSignal): Promise<PanopticFrame[]>;
  close(): Promise<void>;
}
